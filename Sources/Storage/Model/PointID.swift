import Foundation

/// A point's external id, as Qdrant has it: an unsigned integer or a UUID.
/// Numbers order before UUIDs; UUIDs order by their bytes.
public enum PointID: Sendable, Hashable, Comparable, CustomStringConvertible {
    case number(UInt64)
    case uuid(UUID)

    public static func < (left: PointID, right: PointID) -> Bool {
        switch (left, right) {
        case (.number(let a), .number(let b)): a < b
        case (.number, .uuid): true
        case (.uuid, .number): false
        case (.uuid(let a), .uuid(let b)): a.orderedBytes.lexicographicallyPrecedes(b.orderedBytes)
        }
    }

    public var description: String {
        switch self {
        case .number(let value): String(value)
        case .uuid(let value): value.uuidString.lowercased()
        }
    }

    /// Parses a UUID in hyphenated or 32-hex-digit form, as Qdrant accepts.
    public init?(uuidString text: String) {
        if let uuid = UUID(uuidString: text) {
            self = .uuid(uuid)
            return
        }
        guard text.utf8.count == 32, text.allSatisfy(\.isHexDigit) else { return nil }
        var hyphenated = text
        for position in [20, 16, 12, 8] {
            hyphenated.insert("-", at: hyphenated.index(hyphenated.startIndex, offsetBy: position))
        }
        guard let uuid = UUID(uuidString: hyphenated) else { return nil }
        self = .uuid(uuid)
    }
}

extension PointID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt64.self) {
            self = .number(number)
            return
        }
        let text = try container.decode(String.self)
        guard let id = PointID(uuidString: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "point id must be an unsigned integer or a UUID, got '\(text)'"
            )
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .uuid: try container.encode(description)
        }
    }
}

extension PointID {
    /// Storage key: a kind byte (0 number, 1 UUID) then 8 big-endian or 16 raw bytes, so byte
    /// order equals `PointID` order.
    var storageKey: [UInt8] {
        var writer = ByteWriter(capacity: 17)
        switch self {
        case .number(let value):
            writer.append(0)
            writer.appendBigEndian(value)
        case .uuid(let value):
            writer.append(1)
            writer.append(contentsOf: value.orderedBytes)
        }
        return writer.bytes
    }

    init(storageKey bytes: [UInt8]) throws {
        var reader = ByteReader(bytes, what: "point id")
        switch try reader.readByte() {
        case 0:
            self = .number(try reader.readBigEndianUInt64())
        case 1:
            self = .uuid(UUID(orderedBytes: try reader.readBytes(16)))
        case let kind:
            throw reader.corrupt("unknown point id kind \(kind)")
        }
        try reader.expectEnd()
    }
}

extension UUID {
    var orderedBytes: [UInt8] {
        let b = uuid
        return [b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7, b.8, b.9, b.10, b.11, b.12, b.13, b.14, b.15]
    }

    init(orderedBytes b: [UInt8]) {
        precondition(b.count == 16, "a UUID has 16 bytes")
        self.init(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
