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

    /// Stores the index images (in the serving build's environment, or the collection's for
    /// its original index) so the next open loads them instead of rebuilding: a delta of the
    /// primary index while its chain admits one, else a full image. The write gate is held only
    /// while the images are taken, so they and their sequence number agree exactly; writing
    /// them to disk (the slow part) runs after, while writes go on being applied.
    @discardableResult
    public func persistIndex() throws -> StoredImage? {
        try persistLock.withLock { _ -> StoredImage? in
            // The gate is not fair: without this, a background catch-up that takes it again
            // right after each page would keep an image waiting for the whole backlog.
            imageWaiting.store(true, ordering: .releasing)
            let taken: TakenImages? = writeGate.withLock { _ in
                imageWaiting.store(false, ordering: .releasing)
                let sequence = appliedSequence.load(ordering: .acquiring)
                guard sequence != persistedSequence.load(ordering: .acquiring) else { return nil }
                return takeImages(sequence: sequence)
            }
            guard let taken else { return nil }
            do {
                if taken.isDelta {
                    let size = try IndexImageChain.storeDelta(taken.primary, after: taken.chainPosition, in: taken.blobs)
                    storedChain.withLock { chain in
                        chain?.extent.deltas += 1
                        chain?.extent.deltaBytes += size
                        chain?.lastSequence = taken.sequence
                    }
                } else {
                    try IndexImageChain.storeFull(taken.primary, in: taken.blobs)
                    let extent = IndexImageChain.Extent(fullBytes: taken.primarySize)
                    storedChain.withLock { $0 = StoredChain(index: taken.index, build: taken.build, extent: extent, lastSequence: taken.sequence) }
                }
                for image in taken.secondary { try taken.blobs.put(name: image.blob, bytes: image.bytes) }
                if taken.build > 0, let context {
                    try context.builds.update(name, taken.build) { $0.appliedSequence = taken.sequence }
                }
            } catch {
                // The index moved its chain on to an image that is not stored: the next is full.
                taken.index.breakChain()
                storedChain.withLock { $0 = nil }
                throw error
            }
            persistedSequence.store(taken.sequence, ordering: .releasing)
            return StoredImage(isDelta: taken.isDelta, primaryBytes: taken.primarySize)
        }
    }

    /// What `persistIndex` stored, for the server's log.
    public struct StoredImage: Sendable {
        /// A delta on top of the last full image, or a full image.
        public var isDelta: Bool
        /// Bytes of the primary index's image.
        public var primaryBytes: Int
    }

    struct TakenImages {
        var sequence: UInt64
        var build: Int
        var index: HNSWIndex
        var blobs: BlobStore
        var primary: ServingIndexImage
        var primarySize: Int
        var isDelta: Bool
        /// For a delta: the position of the image it follows.
        var chainPosition: UInt64
        var secondary: [(blob: String, bytes: [UInt8])]
    }

    /// The images of the serving build as of `sequence`. Callers hold the gate.
    private func takeImages(sequence: UInt64) -> TakenImages? {
        let set = indexes
        let build = servingBuild
        let blobs: BlobStore
        if build > 0, let context {
            guard let store = try? context.store.build(id: LifecycleContext.buildID(name, build)) else { return nil }
            blobs = store.blobs
        } else {
            blobs = store.blobs
        }
        let chain = storedChain.withLock { chain in
            chain.flatMap { $0.index === set.hnsw && $0.build == build && $0.extent.admitsDelta ? $0.lastSequence : nil }
        }
        let snapshot: Data
        var isDelta = false
        if chain != nil, let delta = set.hnsw.deltaSnapshot() {
            snapshot = delta
            isDelta = true
        } else {
            snapshot = set.hnsw.snapshotStartingChain()
        }
        return TakenImages(sequence: sequence, build: build, index: set.hnsw, blobs: blobs,
                           primary: ServingIndexImage(sequence: sequence, snapshot: snapshot),
                           primarySize: snapshot.count + ServingIndexImage.headerSize, isDelta: isDelta, chainPosition: chain ?? 0,
                           secondary: BuildIndexImages.images(of: set, sequence: sequence))
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
        // The image lock first: an image already taken must not be stored after the discard.
        try persistLock.withLock { _ in
            try writeGate.withLock { _ in
                try IndexImageChain.discard(in: store.blobs)
                storedChain.withLock { $0 = nil }
                index.breakChain()
            }
        }
    }
}
