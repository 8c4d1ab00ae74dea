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
