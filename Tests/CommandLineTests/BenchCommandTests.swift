import Foundation
import Testing

@Suite struct BenchCommandTests {
    @Test("bench --json prints one object per ef with the documented keys and a plausible recall")
    func jsonLines() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("base.npy").path
        let queries = directory.appendingPathComponent("queries.fvecs").path
        #expect(try LodestoneBinary.run(["generate", "--count", "4000", "--dim", "24", "--normalize", "--out", base]).status == 0)
        #expect(try LodestoneBinary.run(["generate", "--count", "100", "--dim", "24", "--normalize", "--stream", "1", "--out", queries]).status == 0)
        let outcome = try LodestoneBinary.run([
            "bench", "--base", base, "--queries", queries, "--metric", "cosine", "--k", "10",
            "--m", "12", "--ef-construct", "100", "--ef", "16,64", "--threads", "2", "--json",
        ])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.count == 2)
        var recalls: [Double] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["ef", "recall", "qps", "build_seconds", "threads", "n", "dim"] {
                #expect(object[key] != nil, "missing \(key)")
            }
            #expect(object["n"] as? Int == 4000)
            #expect(object["dim"] as? Int == 24)
            #expect(object["threads"] as? Int == 2)
            #expect((object["qps"] as? Double ?? 0) > 0)
            recalls.append(object["recall"] as? Double ?? -1)
        }
        #expect(recalls[1] >= 0.95, "recall at ef=64: \(recalls[1])")
        #expect(recalls[1] >= recalls[0])
    }

    @Test("a bad input file is a clear error naming the file, not a crash")
    func badFile() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("broken.npy")
        try Data("definitely not numpy".utf8).write(to: bad)
        let outcome = try LodestoneBinary.run(["bench", "--base", bad.path, "--queries", bad.path])
        #expect(outcome.status != 0)
        #expect(outcome.status < 128, "terminated by a signal")
        #expect(outcome.standardError.contains(bad.path))
        #expect(outcome.standardError.contains("not a .npy file"))

        let missing = try LodestoneBinary.run(["bench", "--base", "/nonexistent/x.fvecs", "--queries", bad.path])
        #expect(missing.status != 0 && missing.status < 128)
        #expect(missing.standardError.contains("/nonexistent/x.fvecs"))
    }

    @Test("mismatched dimensions between base and queries are refused")
    func dimensionMismatch() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("b.npy").path
        let queries = directory.appendingPathComponent("q.npy").path
        _ = try LodestoneBinary.run(["generate", "--count", "100", "--dim", "8", "--out", base])
        _ = try LodestoneBinary.run(["generate", "--count", "10", "--dim", "9", "--out", queries])
        let outcome = try LodestoneBinary.run(["bench", "--base", base, "--queries", queries])
        #expect(outcome.status != 0 && outcome.status < 128)
        #expect(outcome.standardError.contains("dimension"))
    }
}
