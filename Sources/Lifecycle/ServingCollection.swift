import Foundation
import Storage
import Synchronization
import VectorIndex

/// A collection as it serves: its durable store and the HNSW index kept in step with it.
///
/// Every write goes to LMDB first (one transaction: document, id map, change-log entry), then
/// the resulting change-log entries are applied to the index before the call returns, so an
/// acknowledged write is both durable and visible to search. Writes are serialised by one gate
/// so the index applies changes in log order; searches never take it.
public final class ServingCollection: Sendable {
    public let name: String
    public let store: CollectionStore
    public let dimension: Int
    public let distance: Distance
    let index: HNSWIndex
    let writeGate = Mutex(())
    /// The last change-log sequence number reflected in the index.
    let appliedSequence: Atomic<UInt64>
    /// The sequence number of the index image last written to LMDB.
    let persistedSequence: Atomic<UInt64>
    /// True when opening loaded the stored index image; false when it rebuilt the graph.
    public let loadedFromImage: Bool

    static let indexBlobName = "serving-index"

    /// Opens the collection's index: the stored image when there is one, else a rebuild from
    /// the stored vectors; then replays every change logged after it.
    public init(store: CollectionStore, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        let schema = try store.schema()
        self.name = schema.name
        self.store = store
        self.dimension = schema.dimension
        self.distance = schema.distance
        if let bytes = try store.blobs.get(name: Self.indexBlobName) {
            let image = try ServingIndexImage(decoding: bytes)
            let loaded = try HNSWIndex(snapshot: image.snapshot)
            guard loaded.dimension == schema.dimension, loaded.metric == schema.distance.metric else {
                throw LifecycleError.corruptIndexImage("image has dimension \(loaded.dimension) and metric \(loaded.metric), the collection \(schema.dimension) and \(schema.distance.metric)")
            }
            index = loaded
            appliedSequence = Atomic(image.sequence)
            persistedSequence = Atomic(image.sequence)
            loadedFromImage = true
        } else {
            let (built, sequence) = try Self.rebuild(store: store, schema: schema, threads: threads, progress: progress)
            index = built
            appliedSequence = Atomic(sequence)
            persistedSequence = Atomic(0)
            loadedFromImage = false
        }
        try writeGate.withLock { _ in try catchUp() }
    }

    /// Builds a fresh index from every stored vector (one read snapshot), inserting on `threads`.
    static func rebuild(store: CollectionStore, schema: CollectionSchema, parameters: HNSWParameters? = nil, threads: Int,
                        progress: (@Sendable (Int, Int) -> Void)?) throws -> (HNSWIndex, UInt64) {
        var values: [Float] = []
        var ids: [UInt32] = []
        let sequence = try store.forEachVector { internalID, vector in
            ids.append(internalID)
            values.append(contentsOf: vector)
        }
        let index = try HNSWIndex(dimension: schema.dimension, metric: schema.distance.metric,
                                  parameters: parameters ?? schema.hnsw.indexParameters, capacity: max(ids.count, 1024))
        if !ids.isEmpty {
            let total = ids.count
            try index.insert(contentsOf: VectorMatrix(dimension: schema.dimension, values: values), ids: ids, threads: threads) { done in
                progress?(done, total)
            }
        }
        return (index, sequence)
    }

    /// Points that search can return.
    public var liveCount: Int { index.liveCount }
    /// Vectors still in the graph but deleted (tombstones), reclaimed by the next rebuild.
    public var deletedCount: Int { index.deletedVectorCount }
    public var lastAppliedSequence: UInt64 { appliedSequence.load(ordering: .acquiring) }
    public var hnswParameters: HNSWParameters { index.parameters }

    public func schema() throws -> CollectionSchema { try store.schema() }

    /// Applies every logged change after `appliedSequence` to the index. Callers hold the gate.
    func catchUp() throws {
        while true {
            let changes = try store.changes(after: appliedSequence.load(ordering: .acquiring), limit: 4096)
            guard !changes.isEmpty else { return }
            try apply(changes)
        }
    }

    /// Mirrors change-log entries into the index, in order. Callers hold the gate.
    func apply(_ changes: [ChangeEntry]) throws {
        if let last = try Self.apply(changes, to: index, from: store) {
            appliedSequence.store(last, ordering: .releasing)
        }
    }

    /// Applies change-log entries to any index built from `store` (the serving index, or a
    /// build catching up); returns the last sequence number applied.
    static func apply(_ changes: [ChangeEntry], to index: HNSWIndex, from store: CollectionStore) throws -> UInt64? {
        let needed = changes.compactMap { entry -> UInt32? in
            entry.kind == .insert || entry.kind == .replace ? entry.newInternalID : nil
        }
        let vectors = needed.isEmpty ? [] : try store.vectors(internalIDs: needed)
        var vectorByID: [UInt32: [Float]] = [:]
        for (id, vector) in zip(needed, vectors) { if let vector { vectorByID[id] = vector } }
        for entry in changes {
            if let old = entry.oldInternalID, entry.kind == .replace || entry.kind == .delete, index.contains(id: old) {
                try index.delete(id: old)
            }
            if let new = entry.newInternalID, entry.kind == .insert || entry.kind == .replace,
               let vector = vectorByID[new], !index.contains(id: new) {
                // A vector missing here was deleted by a later entry of this same batch.
                try index.insert(vector, id: new)
            }
        }
        return changes.last?.sequence
    }
}
