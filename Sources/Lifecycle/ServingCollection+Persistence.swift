import Synchronization
import Foundation
import Storage
import VectorIndex

/// The stored form of a serving index: the change-log sequence number it reflects, then the
/// HNSW snapshot. Magic and version first, as every on-disk format here.
struct ServingIndexImage {
    static let magic: [UInt8] = Array("LDSI".utf8)
    static let version: UInt32 = 1

    var sequence: UInt64
    var snapshot: Data

    init(sequence: UInt64, snapshot: Data) {
        self.sequence = sequence
        self.snapshot = snapshot
    }

    init(decoding bytes: [UInt8]) throws {
        sequence = try Self.sequence(inHeader: bytes)
        snapshot = Data(bytes[Self.headerSize...])
    }

    static let headerSize = 16

    /// The change-log position an image reflects, from its first `headerSize` bytes.
    static func sequence(inHeader bytes: [UInt8]) throws -> UInt64 {
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == Self.magic else {
            throw LifecycleError.corruptIndexImage("bad magic number")
        }
        let version = bytes[4..<8].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        guard version == Self.version else {
            throw LifecycleError.corruptIndexImage("format version \(version); this build reads \(Self.version)")
        }
        return bytes[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    var encoded: [UInt8] {
        var bytes = Self.magic
        withUnsafeBytes(of: Self.version.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: sequence.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: snapshot)
        return bytes
    }
}

extension ServingCollection {
    /// Changes applied to the index since its image was last stored.
    public var changesSincePersist: UInt64 {
        appliedSequence.load(ordering: .acquiring) &- persistedSequence.load(ordering: .acquiring)
    }

    /// Stores the index image (in the serving build's environment, or the collection's for
    /// its original index) so the next open loads it instead of rebuilding. The write gate is
    /// held only while the images are taken, so they and their sequence number agree exactly;
    /// writing them to disk (the slow part) runs after, while writes go on being applied.
    public func persistIndex() throws {
        try persistLock.withLock { _ in
            // The gate is not fair: without this, a background catch-up that takes it again
            // right after each page would keep an image waiting for the whole backlog.
            imageWaiting.store(true, ordering: .releasing)
            let taken: (sequence: UInt64, build: Int, images: [(blob: String, bytes: [UInt8])])? = writeGate.withLock { _ in
                imageWaiting.store(false, ordering: .releasing)
                let sequence = appliedSequence.load(ordering: .acquiring)
                guard sequence != persistedSequence.load(ordering: .acquiring) else { return nil }
                let set = indexes
                var images = [(blob: Self.indexBlobName, bytes: ServingIndexImage(sequence: sequence, snapshot: set.hnsw.snapshot()).encoded)]
                images += BuildIndexImages.images(of: set, sequence: sequence)
                return (sequence, servingBuild, images)
            }
            guard let taken else { return }
            if taken.build > 0, let context {
                let blobs = try context.store.build(id: LifecycleContext.buildID(name, taken.build)).blobs
                for image in taken.images { try blobs.put(name: image.blob, bytes: image.bytes) }
                try context.builds.update(name, taken.build) { $0.appliedSequence = taken.sequence }
            } else {
                for image in taken.images { try store.blobs.put(name: image.blob, bytes: image.bytes) }
            }
            persistedSequence.store(taken.sequence, ordering: .releasing)
        }
    }

    /// Stores the query log when queries were logged since it was last stored.
    public func persistQueryLog() throws {
        let logged = queryLog.loggedCount
        guard logged != persistedQueryLogCount.load(ordering: .acquiring) else { return }
        try store.blobs.put(name: QueryLogImage.blobName, bytes: queryLog.image)
        persistedQueryLogCount.store(logged, ordering: .releasing)
    }

    /// Drops the stored image: the next open rebuilds from the stored vectors.
    public func discardPersistedIndex() throws {
        // While a build serves, the stored original index is a rollback target: keep it.
        guard servingBuild == 0 else { return }
        _ = try writeGate.withLock { _ in try store.blobs.delete(name: Self.indexBlobName) }
    }
}
