import Foundation

/// A self-describing binary image of the live documents; posting lists are rebuilt on load.
///
/// Writing documents rather than lists keeps one copy of every value, drops deletions for
/// free, and leaves one source of truth to validate: lists rebuilt from checked documents
/// cannot disagree with them.
///
/// Layout (little-endian): magic "LDSPRS\r\n", format version, document count, posting
/// count; then columns of ids (ascending), lengths, per-document term counts, all dimensions,
/// all values; and a checksum of everything before it. Reading checks magic, version,
/// checksum and the exact size the counts imply before decoding, then validates every document.
extension SparseInvertedIndex {
    static let snapshotMagic: [UInt8] = Array("LDSPRS\r\n".utf8)
    static let snapshotVersion: UInt32 = 1
    /// Magic, version, two counts, and the trailing checksum.
    private static let snapshotFixedBytes = 8 + 4 + 8 + 8 + 8

    /// The live documents as bytes. Searches may run meanwhile; writes wait.
    public func snapshot() -> Data {
        state.read { state in
            let ids = state.documents.keys.sorted()
            let documents = ids.map { state.documents[$0]! }
            var writer = SnapshotWriter()
            writer.append(bytes: SparseInvertedIndex.snapshotMagic)
            writer.append(SparseInvertedIndex.snapshotVersion)
            writer.append(UInt64(ids.count))
            writer.append(UInt64(documents.reduce(0) { $0 + $1.vector.count }))
            writer.append(words: ids)
            writer.append(words: documents.map(\.length.bitPattern))
            writer.append(words: documents.map { UInt32($0.vector.count) })
            for document in documents { writer.append(words: document.vector.indices) }
            for document in documents { writer.append(words: document.vector.values.map(\.bitPattern)) }
            writer.appendChecksum()
            return writer.data
        }
    }

    /// Rebuilds an index from `snapshot()` bytes; refuses anything it did not write.
    public convenience init(snapshot data: Data) throws(IndexError) {
        var reader = SnapshotReader(data: data)
        guard data.count >= Self.snapshotFixedBytes,
              try reader.bytes(Self.snapshotMagic.count) == Self.snapshotMagic else {
            throw .corruptSnapshot("not a sparse index snapshot (bad magic number)")
        }
        let version: UInt32 = try reader.value()
        guard version == Self.snapshotVersion else {
            throw .corruptSnapshot("snapshot format version \(version); this build reads version \(Self.snapshotVersion)")
        }
        try reader.verifyChecksum()
        let documentCount: UInt64 = try reader.value()
        let postingCount: UInt64 = try reader.value()
        // Bounded first, so the size arithmetic below cannot overflow.
        guard documentCount <= UInt64(UInt32.max) + 1, postingCount <= 1 << 40,
              Self.snapshotFixedBytes + 12 * Int(documentCount) + 8 * Int(postingCount) == data.count else {
            throw .corruptSnapshot("\(documentCount) documents and \(postingCount) postings do not fit a snapshot of \(data.count) bytes")
        }
        let ids = try reader.words(Int(documentCount))
        let lengths = try reader.words(Int(documentCount)).map(Float.init(bitPattern:))
        let termCounts = try reader.words(Int(documentCount)).map(Int.init)
        let dimensions = try reader.words(Int(postingCount))
        let values = try reader.words(Int(postingCount)).map(Float.init(bitPattern:))
        var state = SparseIndexState()
        state.documents.reserveCapacity(ids.count)
        var start = 0
        for (position, id) in ids.enumerated() {
            guard position == 0 || ids[position - 1] < id else {
                throw .corruptSnapshot("document ids are not strictly ascending at id \(id)")
            }
            let length = lengths[position]
            guard length.isFinite, length >= 0 else { throw .corruptSnapshot("document \(id) has length \(length)") }
            guard termCounts[position] <= dimensions.count - start else {
                throw .corruptSnapshot("document \(id) has more terms than the snapshot holds")
            }
            let end = start + termCounts[position]
            let vector: SparseVector
            do {
                vector = try SparseVector(indices: Array(dimensions[start..<end]), values: Array(values[start..<end]))
            } catch {
                throw .corruptSnapshot("document \(id): \(error)")
            }
            // Ascending ids make every posting an append.
            state.insert(id: id, vector: vector, length: length)
            start = end
        }
        guard start == dimensions.count else {
            throw .corruptSnapshot("per-document term counts do not add up to \(postingCount) postings")
        }
        self.init()
        self.state.write { $0 = state }
    }
}

extension SnapshotWriter {
    mutating func append(words: [UInt32]) {
        words.map(\.littleEndian).withUnsafeBytes { append(raw: $0) }
    }
}

extension SnapshotReader {
    /// The next `count` little-endian 32-bit words.
    mutating func words(_ count: Int) throws(IndexError) -> [UInt32] {
        let raw = try bytes(count * 4)
        return raw.withUnsafeBytes { buffer in
            (0..<count).map { UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
        }
    }
}
