/// Counters of one collection, rewritten by every write transaction.
struct CollectionState: Equatable {
    static let header = RecordHeader("LSTA", version: 1, what: "collection state")

    /// Next internal id to hand out; ids are never reused.
    var nextInternalID: UInt32 = 0
    var lastSequence: UInt64 = 0
    var liveCount: UInt64 = 0
    /// Bumped when the schema (its payload indexes) changes, so cached schemas can be checked.
    var schemaGeneration: UInt32 = 0

    var encoded: [UInt8] {
        var writer = Self.header.makeWriter(capacity: 32)
        writer.appendBigEndian(nextInternalID)
        writer.appendBigEndian(lastSequence)
        writer.appendBigEndian(liveCount)
        writer.appendBigEndian(schemaGeneration)
        return writer.bytes
    }

    init() {}

    init(decoding bytes: [UInt8]) throws {
        var reader = try Self.header.makeReader(bytes)
        nextInternalID = try reader.readBigEndianUInt32()
        lastSequence = try reader.readBigEndianUInt64()
        liveCount = try reader.readBigEndianUInt64()
        schemaGeneration = try reader.readBigEndianUInt32()
        try reader.expectEnd()
    }
}
