import Embeddings
import Foundation
import Lifecycle
import Synchronization

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
    /// Registered models (`name@version`), loaded from the registry's paths on first use.
    public let registered: RegisteredModels?

    public init(models: [Model] = [], registered: RegisteredModels? = nil) {
        self.models = models
        self.registered = registered
    }

    /// A `name@version` the registry knows, else a served model by name.
    public func resolve(_ reference: String) throws -> Model? {
        if reference.contains("@"), let registered, let model = try registered.model(reference) { return model }
        return model(named: reference)
    }

    /// Loads each directory; its name is the folder name unless given as NAME=DIR.
    public static func load(_ specifications: [String], registry: ModelLoader? = nil,
                            onBatch: @escaping @Sendable (String, Int, Duration) -> Void = { _, _, _ in }) throws -> ServedModels {
        var models: [Model] = []
        for specification in specifications {
            let parts = specification.split(separator: "=", maxSplits: 1).map(String.init)
            let directory = URL(fileURLWithPath: parts.count == 2 ? parts[1] : parts[0])
            let name = parts.count == 2 ? parts[0] : directory.standardizedFileURL.lastPathComponent
            let embedder = try SentenceEmbedder(modelDirectory: directory)
            let batcher = EmbeddingBatcher(embedder: embedder) { size, duration in onBatch(name, size, duration) }
            models.append(Model(name: name, directory: directory, batcher: batcher, loadedAt: Date()))
        }
        return ServedModels(models: models, registered: registry.map { RegisteredModels(loader: $0, onBatch: onBatch) })
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

/// Models from the registry, each behind its own batcher, created when a collection bound to
/// one (or a request naming one) first needs it. Files are read from local paths only.
public final class RegisteredModels: Sendable {
    let loader: ModelLoader
    let onBatch: @Sendable (String, Int, Duration) -> Void
    private let served = Mutex<[String: ServedModels.Model]>([:])

    public init(loader: ModelLoader, onBatch: @escaping @Sendable (String, Int, Duration) -> Void) {
        self.loader = loader
        self.onBatch = onBatch
    }

    func model(_ reference: String) throws -> ServedModels.Model? {
        if let model = served.withLock({ $0[reference] }) { return model }
        guard let record = try loader.record(for: reference) else { return nil }
        let embedder = try loader.embedder(for: reference)
        let onBatch = self.onBatch
        let batcher = EmbeddingBatcher(embedder: embedder) { size, duration in onBatch(reference, size, duration) }
        let model = ServedModels.Model(name: reference, directory: loader.registry.directory(of: record), batcher: batcher, loadedAt: Date())
        return served.withLock { cache in
            if let existing = cache[reference] { return existing }
            cache[reference] = model
            return model
        }
    }
}
