/// Large artifacts (a persisted graph, say) in one database of an environment, split into
/// chunks because LMDB values are best kept to a few MiB.
///
/// Keys: `name NUL` holds the header (magic, version, total length, chunk size, chunk count,
/// CRC-32 of the whole blob); `name NUL chunk(4 bytes big-endian)` holds each chunk. Names
/// cannot contain NUL, so no name's keys collide with another's.
public struct BlobTable: Sendable {
    static let header = RecordHeader("LBLB", version: 1, what: "blob header")
    public static let chunkSize = 4 << 20
    static let maximumNameBytes = 200

    let database: LMDBDatabase

    struct Header: Equatable {
        var totalLength: UInt64
        var chunkSize: UInt32
        var chunkCount: UInt32
        var checksum: UInt32
    }

    static func validate(name: String) throws {
        let utf8 = Array(name.utf8)
        guard !utf8.isEmpty, utf8.count <= maximumNameBytes, !utf8.contains(0) else {
            throw StorageError.invalidBlobName(name)
        }
    }

    private static func headerKey(_ name: String) -> [UInt8] {
        Array(name.utf8) + [0]
    }

    private static func chunkKey(_ name: String, _ chunk: UInt32) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(contentsOf: headerKey(name))
        writer.appendBigEndian(chunk)
        return writer.bytes
    }

    /// Stores `bytes` under `name`, replacing any blob of that name, in the caller's transaction.
    public func put(name: String, bytes: [UInt8], in transaction: borrowing LMDBTransaction) throws {
        try Self.validate(name: name)
        try delete(name: name, in: transaction)
        let chunkCount = (bytes.count + Self.chunkSize - 1) / Self.chunkSize
        for chunk in 0 ..< chunkCount {
            let start = chunk * Self.chunkSize
            let slice = Array(bytes[start ..< min(start + Self.chunkSize, bytes.count)])
            try transaction.put(slice, forKey: Self.chunkKey(name, UInt32(chunk)), in: database)
        }
        var writer = Self.header.makeWriter()
        writer.appendBigEndian(UInt64(bytes.count))
        writer.appendBigEndian(UInt32(Self.chunkSize))
        writer.appendBigEndian(UInt32(chunkCount))
        writer.appendBigEndian(CRC32.checksum(bytes))
        try transaction.put(writer.bytes, forKey: Self.headerKey(name), in: database)
    }

    /// The blob's bytes, checked against its recorded length and checksum; nil if absent.
    public func get(name: String, in transaction: borrowing LMDBTransaction) throws -> [UInt8]? {
        try Self.validate(name: name)
        guard let header = try readHeader(name: name, in: transaction) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(header.totalLength))
        for chunk in 0 ..< header.chunkCount {
            guard let part = try transaction.value(forKey: Self.chunkKey(name, chunk), in: database) else {
                throw StorageError.blobCorrupted(name: name, reason: "chunk \(chunk) of \(header.chunkCount) is missing")
            }
            bytes.append(contentsOf: part)
        }
        guard bytes.count == header.totalLength else {
            throw StorageError.blobCorrupted(name: name, reason: "\(bytes.count) bytes, header says \(header.totalLength)")
        }
        guard CRC32.checksum(bytes) == header.checksum else {
            throw StorageError.blobCorrupted(name: name, reason: "checksum mismatch")
        }
        return bytes
    }

    /// The blob's first `count` bytes (at most one chunk), unchecked: the checksum covers the
    /// whole blob, which a `get` verifies before the blob is used.
    public func prefix(name: String, count: Int, in transaction: borrowing LMDBTransaction) throws -> [UInt8]? {
        try Self.validate(name: name)
        guard let header = try readHeader(name: name, in: transaction) else { return nil }
        guard header.chunkCount > 0 else { return [] }
        return try transaction.withValue(forKey: Self.chunkKey(name, 0), in: database) { Array($0.prefix(count)) }
    }

    /// Removes the blob. Returns false if there was none.
    @discardableResult
    public func delete(name: String, in transaction: borrowing LMDBTransaction) throws -> Bool {
        try Self.validate(name: name)
        guard let header = try readHeader(name: name, in: transaction) else { return false }
        for chunk in 0 ..< header.chunkCount {
            try transaction.delete(key: Self.chunkKey(name, chunk), in: database)
        }
        try transaction.delete(key: Self.headerKey(name), in: database)
        return true
    }

    /// Names of all stored blobs, sorted by their UTF-8 bytes.
    public func names(in transaction: borrowing LMDBTransaction) throws -> [String] {
        var names: [String] = []
        try transaction.forEach(in: database) { key, _ in
            if key.last == 0, key.firstIndex(of: 0) == key.count - 1 {
                names.append(String(decoding: key.dropLast(), as: UTF8.self))
            }
            return true
        }
        return names
    }

    /// Whether a blob is stored, from its header alone (no chunk is read).
    public func contains(name: String, in transaction: borrowing LMDBTransaction) throws -> Bool {
        try readHeader(name: name, in: transaction) != nil
    }

    private func readHeader(name: String, in transaction: borrowing LMDBTransaction) throws -> Header? {
        guard let bytes = try transaction.value(forKey: Self.headerKey(name), in: database) else { return nil }
        var reader = try Self.header.makeReader(bytes)
        let header = Header(
            totalLength: try reader.readBigEndianUInt64(),
            chunkSize: try reader.readBigEndianUInt32(),
            chunkCount: try reader.readBigEndianUInt32(),
            checksum: try reader.readBigEndianUInt32()
        )
        try reader.expectEnd()
        return header
    }
}
