import Embeddings
import Foundation
import Storage
import Synchronization
import VectorIndex

/// How far a build is: which phase, and how much of it is done.
public struct BuildProgress: Sendable {
    public enum Phase: String, Sendable { case embed, insert, catchUp = "catch_up", recall }
    public var phase: Phase
    public var done: Int
    public var total: Int
}

/// A flag a running build checks between chunks of work.
public final class BuildCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .releasing) }
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }
}

/// Builds a fresh HNSW index from every stored point of a collection (one read snapshot): the
/// stored vectors, or, for a build on a model that did not embed them, each point's text
/// embedded again with that model. Inserts on `threads` threads in chunks, so progress and
/// cancellation are seen while it runs.
struct IndexConstruction {
    let store: CollectionStore
    let schema: CollectionSchema
    let parameters: HNSWParameters
    let threads: Int
    /// Embeds text again when non-nil; otherwise the stored vectors are used.
    var embedder: SentenceEmbedder?
    var progress: (@Sendable (BuildProgress) -> Void)?
    var cancellation: BuildCancellation?

    static let insertChunk = 8192
    static let embedChunk = 256

    /// The index and the change-log sequence number it reflects.
    func run() throws -> (index: HNSWIndex, sequence: UInt64) {
        var values: [Float] = []
        var ids: [UInt32] = []
        let sequence = try store.forEachVector { internalID, vector in
            ids.append(internalID)
            values.append(contentsOf: vector)
        }
        if let embedder { try reembed(&values, ids: ids, with: embedder) }
        let index = try HNSWIndex(dimension: schema.indexDimension, metric: schema.distance.metric,
                                  parameters: parameters, capacity: max(ids.count, 1024))
        let dimension = schema.indexDimension
        var start = 0
        while start < ids.count {
            try checkCancelled()
            let end = min(start + Self.insertChunk, ids.count)
            let chunk = VectorMatrix(dimension: dimension, values: Array(values[start * dimension ..< end * dimension]))
            let offset = start, total = ids.count, progress = progress
            try index.insert(contentsOf: chunk, ids: Array(ids[start ..< end]), threads: threads) { done in
                progress?(BuildProgress(phase: .insert, done: offset + done, total: total))
            }
            start = end
        }
        return (index, sequence)
    }

    /// Replaces the stored vector of every point with text by its embedding under `embedder`.
    private func reembed(_ values: inout [Float], ids: [UInt32], with embedder: SentenceEmbedder) throws {
        guard embedder.dimension == schema.dimension else {
            throw LifecycleError.invalidRequest("the build's model makes \(embedder.dimension)-dimensional vectors; collection `\(schema.name)` holds \(schema.dimension)")
        }
        let dimension = schema.dimension
        var start = 0
        while start < ids.count {
            try checkCancelled()
            let end = min(start + Self.embedChunk, ids.count)
            let points = try store.points(internalIDs: Array(ids[start ..< end]), withVector: false, withPayload: false)
            let texts = points.enumerated().compactMap { offset, point in point?.text.map { (row: start + offset, text: $0) } }
            if !texts.isEmpty {
                for (item, vector) in zip(texts, try embedder.embed(texts.map(\.text))) {
                    values.replaceSubrange(item.row * dimension ..< (item.row + 1) * dimension, with: vector)
                }
            }
            progress?(BuildProgress(phase: .embed, done: end, total: ids.count))
            start = end
        }
    }

    private func checkCancelled() throws {
        if cancellation?.isCancelled == true { throw LifecycleError.cancelled }
    }
}
