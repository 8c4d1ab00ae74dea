import Embeddings
import Foundation
import Lifecycle
import Logging
import Storage

/// A small collection a newcomer can query at once: a few sentences about search and
/// retrieval, embedded with the bundled model when it is there (else seeded random unit
/// vectors), with their text and a topic in the payload.
public enum DemoCollection {
    public static let name = "demo"

    static let documents: [(text: String, topic: String)] = [
        ("HNSW builds a layered proximity graph and searches it greedily from the top layer down.", "index"),
        ("Exact nearest-neighbour search compares the query with every stored vector.", "index"),
        ("Recall at ten is the share of the true ten nearest neighbours that a search returns.", "evaluation"),
        ("A new embedding model should be evaluated against production before it serves.", "evaluation"),
        ("LMDB is a memory-mapped key-value store with one writer and many readers.", "storage"),
        ("Every write is appended to a change log with a sequence number.", "storage"),
        ("Sentence embeddings map text to vectors so that paraphrases land close together.", "embedding"),
        ("Mean pooling averages token vectors; a normalised embedding has unit length.", "embedding"),
        ("Retrieval-augmented generation fetches relevant passages before the model answers.", "rag"),
        ("Chunk long documents into passages of a few hundred tokens before indexing them.", "rag"),
        ("Payload filters restrict results to points whose metadata match a condition.", "search"),
        ("A very selective filter is answered by an exact scan over the matching points.", "search"),
        ("Cosine similarity compares directions and ignores vector length.", "search"),
        ("Shadow traffic sends a copy of live queries to a candidate index to compare results.", "rollout"),
        ("A canary routes a small share of queries to a new build and rolls back on errors.", "rollout"),
        ("Query drift is a shift in what users ask compared with a reference window.", "monitoring"),
    ]

    /// The registry name of the bundled model.
    static let modelName = "all-MiniLM-L6-v2"

    /// Creates and fills the demo collection unless it exists. Returns true when it loaded it.
    @discardableResult
    public static func loadIfMissing(engine: Engine, modelDirectory: String?, logger: Logger) throws -> Bool {
        guard try !engine.collectionExists(name) else { return false }
        var vectors: [[Float]]
        var model: String?
        if let modelDirectory, FileManager.default.fileExists(atPath: modelDirectory + "/model.safetensors") {
            // Registered (a no-op when it already is) and bound, so plain text can be the query.
            let record = try engine.lifecycle.models.registry.register(
                directory: URL(fileURLWithPath: modelDirectory), name: modelName, version: "1", registeredBy: "lodestone serve --demo")
            model = record.reference
            vectors = try engine.lifecycle.models.embedder(for: record.reference).embed(documents.map(\.text))
        } else {
            logger.warning("no model at \(modelDirectory ?? "(none)"): the demo collection gets random vectors")
            var generator = SystemRandomNumberGenerator()
            vectors = documents.map { _ in (0..<384).map { _ in Float.random(in: -1...1, using: &generator) } }
        }
        let serving = try engine.createCollection(CollectionSchema(
            name: name, dimension: vectors[0].count, distance: .cosine, embeddingModel: model, payloadIndexes: ["topic": .keyword]))
        try serving.upsert(documents.enumerated().map { index, document in
            PointInput(id: .number(UInt64(index + 1)), vector: vectors[index],
                       payload: .object(["text": .string(document.text), "topic": .string(document.topic)]),
                       text: document.text)
        }, embeddedWith: model)
        try serving.persistIndex()
        return true
    }
}
