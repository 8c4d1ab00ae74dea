/// A point's payload and text, stored under its internal id in `records`.
struct PointRecord {
    static let header = RecordHeader("LPNT", version: 1, what: "point record")

    var id: PointID
    var payload: [String: JSONValue]
    var text: String?

    /// Encoded payload members, measured against the payload size limit.
    static func encodedPayload(_ payload: [String: JSONValue]) -> [UInt8] {
        var writer = ByteWriter()
        JSONValue.encodeBinaryMembers(payload, into: &writer)
        return writer.bytes
    }

    func encoded(payloadBytes: [UInt8]? = nil) -> [UInt8] {
        let payloadBytes = payloadBytes ?? Self.encodedPayload(payload)
        var writer = Self.header.makeWriter(capacity: payloadBytes.count + 32)
        writer.appendLengthPrefixed(id.storageKey)
        writer.append(text == nil ? 0 : 1)
        if let text {
            writer.appendLengthPrefixed(text)
        }
        writer.append(contentsOf: payloadBytes)
        return writer.bytes
    }

    init(id: PointID, payload: [String: JSONValue], text: String?) {
        self.id = id
        self.payload = payload
        self.text = text
    }

    /// Without `payload` the payload bytes are skipped undecoded (a search that returns ids
    /// and scores only), and the record comes back with an empty payload.
    init(decoding bytes: [UInt8], payload decodePayload: Bool = true) throws {
        var reader = try Self.header.makeReader(bytes)
        id = try PointID(storageKey: try reader.readLengthPrefixedBytes())
        switch try reader.readByte() {
        case 0: text = nil
        case 1: text = try reader.readLengthPrefixedString()
        case let flag: throw reader.corrupt("unknown text flag \(flag)")
        }
        guard decodePayload else {
            payload = [:]
            return
        }
        payload = try JSONValue.decodeBinaryMembers(from: &reader)
        try reader.expectEnd()
    }
}

/// A vector stored under its internal id in `vectors`: the header, then float32 little-endian.
enum VectorRecord {
    static let header = RecordHeader("LVEC", version: 1, what: "vector record")

    static func encode(_ vector: [Float]) -> [UInt8] {
        var writer = header.makeWriter(capacity: RecordHeader.byteCount + vector.count * 4)
        for element in vector {
            writer.appendLittleEndian(element.bitPattern)
        }
        return writer.bytes
    }

    /// Checks a value read by `LMDBTransaction.floatValue`: header first, then whole floats.
    static func decode(_ value: LMDBFloatValue) throws -> [Float] {
        let reader = try header.makeReader(value.prefix)
        try reader.expectEnd()
        guard let floats = value.floats else {
            throw StorageError.corruptRecord("vector record: length is not a header plus whole floats")
        }
        return floats
    }
}
