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
    /// when the store has no full image. One read transaction: a full image stored meanwhile
    /// is never paired with the deltas it replaced.
    static func load(from blobs: BlobStore) throws -> Loaded? {
        let stored: (full: [UInt8], deltas: [[UInt8]])? = try blobs.environment.read { transaction in
            guard let full = try blobs.table.get(name: fullName, in: transaction) else { return nil }
            let names = try deltaNames(in: blobs, transaction)
            return (full, try names.compactMap { try blobs.table.get(name: $0, in: transaction) })
        }
        guard let stored else { return nil }
        let full = try ServingIndexImage(decoding: stored.full)
        // A delta at or before the full image's position is one a later full image replaced.
        let deltas = try stored.deltas.map { (image: try ServingIndexImage(decoding: $0), bytes: $0.count) }
            .filter { $0.image.sequence > full.sequence }
        // Room for the whole chain at once: growing per delta would copy the graph each time.
        let nodes = deltas.compactMap { HNSWIndex.nodeCount(afterDelta: $0.image.snapshot) }.max() ?? 0
        let index = try HNSWIndex(snapshot: full.snapshot, minimumCapacity: nodes)
        var loaded = Loaded(index: index, sequence: full.sequence, extent: Extent(fullBytes: stored.full.count))
        for delta in deltas {
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
        try blobs.environment.write { transaction in
            let stale = try deltaNames(in: blobs, transaction)
            try blobs.table.put(name: fullName, bytes: bytes, in: transaction)
            for name in stale { _ = try blobs.table.delete(name: name, in: transaction) }
        }
    }

    /// Stores a delta that follows the image this process stored or loaded last, at change
    /// `previous`; returns its size in bytes. Refused when the store's last image is elsewhere
    /// (another writer stored a full image meanwhile): the caller's next image is then full.
    static func storeDelta(_ image: ServingIndexImage, after previous: UInt64, in blobs: BlobStore) throws -> Int {
        let bytes = image.encoded
        try blobs.environment.write { transaction in
            let last = try lastPosition(in: blobs, transaction)
            guard last == previous else { throw LifecycleError.indexImageChainMoved(expected: previous, stored: last ?? 0) }
            try blobs.table.put(name: deltaName(image.sequence), bytes: bytes, in: transaction)
        }
        return bytes.count
    }

    /// The change-log position of the chain's last image: the full one's, or the last delta's.
    private static func lastPosition(in blobs: BlobStore, _ transaction: borrowing LMDBTransaction) throws -> UInt64? {
        guard let header = try blobs.table.prefix(name: fullName, count: ServingIndexImage.headerSize, in: transaction) else { return nil }
        let full = try ServingIndexImage.sequence(inHeader: header)
        let deltas = try deltaNames(in: blobs, transaction).compactMap { UInt64($0.dropFirst(deltaPrefix.count)) }
        return max(full, deltas.max() ?? 0)
    }

    /// Drops the full image and every delta.
    static func discard(in blobs: BlobStore) throws {
        try blobs.environment.write { transaction in
            let names = try deltaNames(in: blobs, transaction)
            _ = try blobs.table.delete(name: fullName, in: transaction)
            for name in names { _ = try blobs.table.delete(name: name, in: transaction) }
        }
    }

    /// The deltas' names in log order (their zero-padded positions sort as numbers).
    private static func deltaNames(in blobs: BlobStore, _ transaction: borrowing LMDBTransaction) throws -> [String] {
        try blobs.table.names(in: transaction).filter { $0.hasPrefix(deltaPrefix) }.sorted()
    }
}
