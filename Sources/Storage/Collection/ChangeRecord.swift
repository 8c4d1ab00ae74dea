/// Change-log entries, keyed by their sequence number (8 bytes big-endian) in `changes`.
enum ChangeRecord {
    static let header = RecordHeader("LCHG", version: 1, what: "change entry")

    static func key(_ sequence: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 8)
        writer.appendBigEndian(sequence)
        return writer.bytes
    }

    static func sequence(ofKey key: [UInt8]) -> UInt64? {
        guard key.count == 8 else { return nil }
        return key.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    static func encode(_ entry: ChangeEntry) -> [UInt8] {
        var writer = header.makeWriter(capacity: 48)
        writer.append(entry.kind.rawValue)
        writer.appendLengthPrefixed(entry.pointID.storageKey)
        writer.append((entry.oldInternalID == nil ? 0 : 1) | (entry.newInternalID == nil ? 0 : 2))
        writer.appendBigEndian(entry.oldInternalID ?? 0)
        writer.appendBigEndian(entry.newInternalID ?? 0)
        return writer.bytes
    }

    static func decode(key: [UInt8], value: [UInt8]) throws -> ChangeEntry {
        var keyReader = ByteReader(key, what: "change key")
        let sequence = try keyReader.readBigEndianUInt64()
        try keyReader.expectEnd()
        var reader = try header.makeReader(value)
        let kindByte = try reader.readByte()
        guard let kind = ChangeEntry.Kind(rawValue: kindByte) else { throw reader.corrupt("unknown change kind \(kindByte)") }
        let pointID = try PointID(storageKey: try reader.readLengthPrefixedBytes())
        let presence = try reader.readByte()
        let old = try reader.readBigEndianUInt32()
        let new = try reader.readBigEndianUInt32()
        try reader.expectEnd()
        return ChangeEntry(
            sequence: sequence,
            kind: kind,
            pointID: pointID,
            oldInternalID: presence & 1 != 0 ? old : nil,
            newInternalID: presence & 2 != 0 ? new : nil
        )
    }
}
