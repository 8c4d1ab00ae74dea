import Foundation
import Lifecycle
import Storage
import Testing

@Suite struct StoreCommandTests {
    @Test("import loads .npy rows and JSONL points; a malformed line stops with its line number and no partial batch")
    func importFiles() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let vectors = directory.appendingPathComponent("v.npy").path
        #expect(try LodestoneBinary.run(["generate", "--count", "300", "--dim", "6", "--out", vectors]).status == 0)
        let imported = try LodestoneBinary.run(["import", "--data", data, "--collection", "vec", "--distance", "euclid", "--batch", "100", "--json", vectors])
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(imported.standardOutput.contains("\"imported\":300"))

        let jsonl = directory.appendingPathComponent("points.jsonl")
        var lines = (0..<25).map { #"{"id": \#($0), "vector": [\#($0), 1, 2], "payload": {"n": \#($0)}, "text": "doc \#($0)"}"# }
        lines.append(#"{"id": "5c56c793-69f3-4fbf-87e6-c4bf54c28c26", "vector": [9, 9, 9]}"#)
        lines.append(#"{"id": 99, "vector": [1, "two", 3]}"#)   // line 27: malformed
        lines.append(#"{"id": 100, "vector": [1, 2, 3]}"#)
        try lines.joined(separator: "\n").write(to: jsonl, atomically: true, encoding: .utf8)
        let failed = try LodestoneBinary.run(["import", "--data", data, "--collection", "docs", "--batch", "10", jsonl.path])
        #expect(failed.status != 0 && failed.status < 128)
        #expect(failed.standardError.contains("points.jsonl:27"), "\(failed.standardError)")

        let engine = try Engine(dataDirectory: URL(fileURLWithPath: data))
        #expect(try engine.collection(named: "vec").liveCount == 300)
        let docs = try engine.collection(named: "docs")
        // Batches 1-2 (lines 1-20) committed; the batch holding line 27 (lines 21-28) was not written.
        #expect(try docs.store.count() == 20)
        let point = try docs.store.get(ids: [.number(7)]).first
        #expect(point?.text == "doc 7")
        #expect(point?.payload["n"] == .int(7))
        #expect(point?.vector == [7, 1, 2])
    }

    @Test("import with HNSW settings the index cannot build is refused before a collection is stored")
    func importRefusesUnbuildableSettings() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let vectors = directory.appendingPathComponent("v.npy").path
        #expect(try LodestoneBinary.run(["generate", "--count", "50", "--dim", "6", "--out", vectors]).status == 0)
        let refused = try LodestoneBinary.run(["import", "--data", data, "--collection", "big", "--m", "300", vectors])
        #expect(refused.status != 0 && refused.status < 128)
        #expect(refused.standardError.contains("`m` must be between 2 and 255, got 300"), "\(refused.standardError)")
        #expect(try Engine(dataDirectory: URL(fileURLWithPath: data)).collectionNames().isEmpty)
    }

    @Test("backup while in use, then restore into a new directory, gives the same searchable data")
    func backupAndRestore() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        let backup = directory.appendingPathComponent("backup").path
        let restored = directory.appendingPathComponent("restored")
        let engine = try Engine(dataDirectory: data)
        let serving = try engine.createCollection(CollectionSchema(name: "b", dimension: 3, distance: .cosine))
        try serving.upsert((0..<200).map { PointInput(id: .number(UInt64($0)), vector: [Float($0), 1, Float($0 % 3)], payload: .object(["i": .int(Int64($0))])) })
        // The engine stays open (as a running server would) while another process backs up.
        let outcome = try LodestoneBinary.run(["backup", "--data", data.path, "--to", backup])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let restore = try LodestoneBinary.run(["restore", "--from", backup, "--data", restored.path])
        #expect(restore.status == 0, "\(restore.standardError)")
        let copy = try Engine(dataDirectory: restored).collection(named: "b")
        #expect(try copy.store.count() == 200)
        let hits = try copy.search(SearchRequest(vector: [150, 1, 0], limit: 1, exact: true)).hits
        #expect(hits.first?.point.id == .number(150))
        #expect(hits.first?.point.payload["i"] == .int(150))
        let again = try LodestoneBinary.run(["restore", "--from", backup, "--data", restored.path])
        #expect(again.status != 0, "restoring over existing data is refused")
    }
}

@Suite struct ModelsCommandTests {
    @Test("models register, list and alias print one JSON object each; a refused registration exits non-zero")
    func registryCommands() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let model = EmbedCommandTests.modelDirectory
        let registered = try LodestoneBinary.run(["models", "register", model, "--name", "minilm", "--version", "1", "--data", data, "--json"])
        #expect(registered.status == 0, "\(registered.standardError)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(registered.standardOutput.utf8)) as? [String: Any])
        #expect(record["reference"] as? String == "minilm@1")
        #expect((record["weights_sha256"] as? String)?.count == 64)
        #expect(record["dimension"] as? Int == 384)
        let staged = try LodestoneBinary.run(["models", "alias", "minilm@1", "production", "--data", data, "--json"])
        #expect(staged.status == 0 && staged.standardOutput.contains(#""stage":"production""#))
        let listed = try LodestoneBinary.run(["models", "list", "--data", data, "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [String: Any])
        #expect((list["models"] as? [[String: Any]])?.count == 1)
        let bad = try LodestoneBinary.run(["models", "alias", "minilm@9", "production", "--data", data])
        #expect(bad.status != 0 && bad.status < 128 && bad.standardError.contains("not registered"))
    }
}

@Suite struct BuildCommandTests {
    @Test("build prints a ready record with a recall report; builds list shows every version in order")
    func buildAndList() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let vectors = directory.appendingPathComponent("v.npy").path
        _ = try LodestoneBinary.run(["generate", "--count", "2000", "--dim", "12", "--out", vectors])
        _ = try LodestoneBinary.run(["import", "--data", data, "--collection", "c", "--distance", "euclid", vectors])
        let first = try LodestoneBinary.run(["build", "--data", data, "--collection", "c", "--json"])
        #expect(first.status == 0, "\(first.standardError)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(first.standardOutput.utf8)) as? [String: Any])
        #expect(record["status"] as? String == "ready" && record["number"] as? Int == 1 && record["points"] as? Int == 2000)
        let recall = try #require(record["recall"] as? [String: Any])
        #expect((recall["recall"] as? Double ?? 0) >= 0.95)
        _ = try LodestoneBinary.run(["build", "--data", data, "--collection", "c", "--m", "4", "--json"])
        let listed = try LodestoneBinary.run(["builds", "list", "--data", data, "--collection", "c", "--json"])
        let builds = try #require((try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [String: Any])?["builds"] as? [[String: Any]])
        #expect(builds.compactMap { $0["number"] as? Int } == [1, 2])
        let missing = try LodestoneBinary.run(["build", "--data", data, "--collection", "nope"])
        #expect(missing.status != 0 && missing.status < 128)
    }
}

@Suite struct EvalCommandTests {
    @Test("eval prints recall@10, ndcg@10, mrr@10 and queries; eval compare says whether B passes and exits 2 when B would be refused")
    func evalJSON() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let dataset = directory.appendingPathComponent("beir")
        try FileManager.default.createDirectory(at: dataset.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        try #"{"_id": "d1", "text": "Cats sleep on warm sofas."}\#n{"_id": "d2", "text": "Interest rates rose again."}"#
            .write(to: dataset.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try #"{"_id": "q1", "text": "Where do cats like to sleep?"}"#
            .write(to: dataset.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        try "query-id\tcorpus-id\tscore\nq1\td1\t1\n".write(to: dataset.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        _ = try LodestoneBinary.run(["models", "register", EmbedCommandTests.modelDirectory, "--name", "m", "--version", "1", "--data", data])
        let outcome = try LodestoneBinary.run(["eval", "--model", "m@1", "--dataset", dataset.path, "--data", data, "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        #expect(object["recall@10"] as? Double == 1 && object["ndcg@10"] as? Double == 1 && object["mrr@10"] as? Double == 1)
        #expect(object["queries"] as? Int == 1)
        let compared = try LodestoneBinary.run(["eval", "compare", "m@1", "m@1", "--dataset", dataset.path, "--data", data, "--json"])
        #expect(compared.status == 0 && compared.standardOutput.contains(#""passes":true"#))
        // A margin below zero asks B to beat A by that much: equal models are refused, and the exit code says so.
        let refused = try LodestoneBinary.run(["eval", "compare", "m@1", "m@1", "--dataset", dataset.path, "--data", data, "--margin=-0.5"])
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(refused.standardOutput.contains("would be refused") && refused.standardOutput.contains("nDCG@10"))
        let unknown = try LodestoneBinary.run(["eval", "--model", "m@2", "--dataset", dataset.path, "--data", data])
        #expect(unknown.status != 0 && unknown.standardError.contains("not registered"))
    }
}
