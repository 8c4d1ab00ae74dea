import Foundation
import Testing
import VectorFormats

@Suite struct EmbedCommandTests {
    static var modelDirectory: String {
        if let path = ProcessInfo.processInfo.environment["LODESTONE_MODEL_DIR"] { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/all-MiniLM-L6-v2").path
    }

    func run(_ arguments: [String], input: String) throws -> LodestoneBinary.Outcome {
        let process = Process()
        process.executableURL = LodestoneBinary.url
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(status: process.terminationStatus, standardOutput: String(decoding: out, as: UTF8.self), standardError: String(decoding: err, as: UTF8.self))
    }

    @Test("embed writes one {text, embedding} line per input line, unit length, paraphrases closer")
    func jsonLines() throws {
        let input = "A man is eating food.\nA man is eating a piece of bread.\nThe girl is carrying a baby.\n"
        let outcome = try run(["embed", "--model", Self.modelDirectory, "--batch", "2"], input: input)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let rows = try outcome.standardOutput.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(rows.count == 3)
        #expect(rows.first?["text"] as? String == "A man is eating food.")
        let vectors = rows.map { ($0["embedding"] as? [Double]) ?? [] }
        #expect(vectors.allSatisfy { $0.count == 384 })
        let norm = vectors[0].reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-4)
        let cosine = { (a: [Double], b: [Double]) in zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.3)
    }

    @Test("embed --npy writes a (lines x 384) float32 array")
    func numpyOutput() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("e.npy")
        let outcome = try run(["embed", "--model", Self.modelDirectory, "--npy", file.path], input: "one\ntwo\n\nfour\n")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let array = try NumpyFile.read(file)
        #expect(array.rows == 4 && array.dimension == 384)
    }

    @Test("a missing model directory is a clear error naming the file")
    func missingModel() throws {
        let outcome = try run(["embed", "--model", "/nonexistent/model"], input: "x\n")
        #expect(outcome.status != 0 && outcome.status < 128)
        #expect(outcome.standardError.contains("/nonexistent/model"))
    }
}
