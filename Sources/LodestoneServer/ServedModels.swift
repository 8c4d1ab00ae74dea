import Embeddings
import Foundation

/// The embedding models a server process serves, by name, each behind its own batcher.
public struct ServedModels: Sendable {
    public struct Model: Sendable {
        public let name: String
        public let directory: URL
        public let batcher: EmbeddingBatcher
        public var embedder: SentenceEmbedder { batcher.embedder }
        public let loadedAt: Date
    }

    public let models: [Model]

    public init(models: [Model] = []) { self.models = models }

    /// Loads each directory; its name is the folder name unless given as NAME=DIR.
    public static func load(_ specifications: [String], onBatch: @escaping @Sendable (String, Int, Duration) -> Void = { _, _, _ in }) throws -> ServedModels {
        var models: [Model] = []
        for specification in specifications {
            let parts = specification.split(separator: "=", maxSplits: 1).map(String.init)
            let directory = URL(fileURLWithPath: parts.count == 2 ? parts[1] : parts[0])
            let name = parts.count == 2 ? parts[0] : directory.standardizedFileURL.lastPathComponent
            let embedder = try SentenceEmbedder(modelDirectory: directory)
            let batcher = EmbeddingBatcher(embedder: embedder) { size, duration in onBatch(name, size, duration) }
            models.append(Model(name: name, directory: directory, batcher: batcher, loadedAt: Date()))
        }
        return ServedModels(models: models)
    }

    /// The model called `name`: exact, case-insensitive, or by the last path component, so
    /// "sentence-transformers/all-MiniLM-L6-v2" finds a model served as "all-MiniLM-L6-v2".
    /// A `name@version` reference matches on its name.
    public func model(named name: String) -> Model? {
        let bare = name.split(separator: "@").first.map(String.init) ?? name
        let lowered = bare.lowercased()
        let tail = lowered.split(separator: "/").last.map(String.init) ?? lowered
        return models.first { $0.name == bare }
            ?? models.first { $0.name.lowercased() == lowered }
            ?? models.first { $0.name.lowercased() == tail }
    }
}
