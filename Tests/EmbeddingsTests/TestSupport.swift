import Embeddings
import Foundation

/// Where the tests find the model and the reference fixture.
enum TestSupport {
    /// <package root>, found from this file's path: Tests/EmbeddingsTests/…
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixturesDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// `LODESTONE_MODEL_DIR`, else <package root>/models/all-MiniLM-L6-v2.
    static var modelDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["LODESTONE_MODEL_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent("models/all-MiniLM-L6-v2")
    }

    struct ModelMissing: Error, CustomStringConvertible {
        let directory: URL
        var description: String {
            "all-MiniLM-L6-v2 is not at \(directory.path): run tools/fetch-model (or set LODESTONE_MODEL_DIR to a model directory)"
        }
    }

    /// Fails the calling test, never skips it, when the model is absent: the
    /// thrown error is recorded as the test's failure, with what to run.
    static func requireModelDirectory() throws -> URL {
        let directory = modelDirectory
        let weights = directory.appendingPathComponent("model.safetensors").path
        guard FileManager.default.fileExists(atPath: weights) else {
            throw ModelMissing(directory: directory)
        }
        return directory
    }

    /// One embedder shared by the tests that only read from it (loading is
    /// cheap, but sharing also exercises concurrent use).
    static let sharedEmbedder: Result<SentenceEmbedder, any Error> = Result {
        try SentenceEmbedder(modelDirectory: try requireModelDirectory())
    }

    static func embedder() throws -> SentenceEmbedder {
        _ = try requireModelDirectory()
        return try sharedEmbedder.get()
    }

    struct ReferenceLine: Decodable, Sendable {
        let text: String
        let token_ids: [Int32]
        let embedding: [Float]
    }

    static func referenceLines() throws -> [ReferenceLine] {
        let url = fixturesDirectory.appendingPathComponent("minilm-reference.jsonl")
        let content = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        return try content.split(separator: "\n").map {
            try decoder.decode(ReferenceLine.self, from: Data($0.utf8))
        }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        var dot = 0.0, normA = 0.0, normB = 0.0
        for index in a.indices {
            dot += Double(a[index]) * Double(b[index])
            normA += Double(a[index]) * Double(a[index])
            normB += Double(b[index]) * Double(b[index])
        }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }

    /// A fresh temporary directory, removed by the caller.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("embeddings-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of the model directory in `destination` without the files
    /// named in `excluding`; model.safetensors is linked, not copied.
    static func copyModelFiles(to destination: URL, excluding: Set<String> = []) throws {
        let source = try requireModelDirectory()
        let fileManager = FileManager.default
        for name in try fileManager.contentsOfDirectory(atPath: source.path) where !excluding.contains(name) {
            let from = source.appendingPathComponent(name)
            let to = destination.appendingPathComponent(name)
            if name == "model.safetensors" {
                try fileManager.createSymbolicLink(at: to, withDestinationURL: from)
            } else {
                try fileManager.copyItem(at: from, to: to)
            }
        }
    }
}
