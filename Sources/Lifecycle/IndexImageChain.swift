import Foundation
import Storage
import VectorIndex

/// A primary index's stored images in one blob store (the collection's for its original
/// index, a build's own for a build): a full image under `serving-index`, then the deltas taken
/// after it, each named by the change-log position it reflects. Loading applies the deltas in
/// order; storing a full image drops them in the same transaction.
enum IndexImageChain {
    static let fullName = ServingCollection.indexBlobName
    /// Not `serving-index.`: that prefix names the secondary indexes' images.
    static let deltaPrefix = "serving-index+delta-"

    static func deltaName(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return deltaPrefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// What the chain in a store holds, to choose between a delta and a full image next.
    struct Extent: Sendable, Equatable {
        var deltas = 0
        var deltaBytes = 0
        var fullBytes = 0

        /// Deltas are replayed at every open: past this many, or once they add up to half the
        /// full image, the next image is full again.
        static let maximumDeltas = 8

        var admitsDelta: Bool { deltas < Self.maximumDeltas && deltaBytes * 2 < fullBytes }
    }

    struct Loaded {
        var index: HNSWIndex
        var sequence: UInt64
        var extent: Extent
    }

    /// The index as of the last stored image: the full one with every later delta applied; nil
    /// when the store has no full image.
    static func load(from blobs: BlobStore) throws -> Loaded? {
        guard let header = try blobs.prefix(name: fullName, count: ServingIndexImage.headerSize) else { return nil }
        let fullSequence = try ServingIndexImage.sequence(inHeader: header)
        var deltas: [(image: ServingIndexImage, bytes: Int)] = []
        for name in try deltaNames(in: blobs) {
            guard let bytes = try blobs.get(name: name) else { continue }
            let delta = try ServingIndexImage(decoding: bytes)
            // A delta at or before the full image's position is one a later full image replaced.
            guard delta.sequence > fullSequence else { continue }
            deltas.append((delta, bytes.count))
        }
        guard let bytes = try blobs.get(name: fullName) else { return nil }
        let full = try ServingIndexImage(decoding: bytes)
        // Room for the whole chain at once: growing per delta would copy the graph each time.
        let nodes = deltas.compactMap { HNSWIndex.nodeCount(afterDelta: $0.image.snapshot) }.max() ?? 0
        let index = try HNSWIndex(snapshot: full.snapshot, minimumCapacity: nodes)
        var loaded = Loaded(index: index, sequence: full.sequence, extent: Extent(fullBytes: bytes.count))
        for delta in deltas where delta.image.sequence > full.sequence {
            try index.applyDelta(delta.image.snapshot)
            loaded.sequence = delta.image.sequence
            loaded.extent.deltas += 1
            loaded.extent.deltaBytes += delta.bytes
        }
        return loaded
    }

    /// Stores a full image and drops every delta, in one transaction.
    static func storeFull(_ image: ServingIndexImage, in blobs: BlobStore) throws {
        let bytes = image.encoded
        let stale = try deltaNames(in: blobs)
        try blobs.environment.write { transaction in
            try blobs.table.put(name: fullName, bytes: bytes, in: transaction)
            for name in stale { _ = try blobs.table.delete(name: name, in: transaction) }
        }
    }

    /// Stores a delta after the chain's last image; returns its size in bytes.
    static func storeDelta(_ image: ServingIndexImage, in blobs: BlobStore) throws -> Int {
        let bytes = image.encoded
        try blobs.put(name: deltaName(image.sequence), bytes: bytes)
        return bytes.count
    }

    /// Drops the full image and every delta.
    static func discard(in blobs: BlobStore) throws {
        let names = try deltaNames(in: blobs)
        try blobs.environment.write { transaction in
            _ = try blobs.table.delete(name: fullName, in: transaction)
            for name in names { _ = try blobs.table.delete(name: name, in: transaction) }
        }
    }

    /// The deltas' names in log order (their zero-padded positions sort as numbers).
    private static func deltaNames(in blobs: BlobStore) throws -> [String] {
        try blobs.names().filter { $0.hasPrefix(deltaPrefix) }.sorted()
    }
}
