import Embeddings
import Foundation
import Storage
import Synchronization

/// Loads registered models (`name@version`) from the files the registry points at, once per
/// process; builds, catch-up and promotion gates share the loaded weights.
public final class ModelLoader: Sendable {
    public let registry: ModelRegistry
    private let loaded = Mutex<[String: SentenceEmbedder]>([:])

    public init(store: Store) throws {
        registry = try ModelRegistry(store: store)
    }

    public func embedder(for reference: String) throws -> SentenceEmbedder {
        if let embedder = loaded.withLock({ $0[reference] }) { return embedder }
        let record = try registry.model(reference)
        let embedder = try SentenceEmbedder(modelDirectory: registry.directory(of: record))
        return loaded.withLock { cache in
            if let existing = cache[reference] { return existing }
            cache[reference] = embedder
            return embedder
        }
    }

    /// The registry record of a reference, or nil when it is not registered.
    public func record(for reference: String) throws -> ModelRecord? {
        do { return try registry.model(reference) } catch RegistryError.modelNotFound { return nil }
    }
}
