/// Compact, deterministic binary form of JSON used inside stored records: one tag byte per
/// value, LEB128 lengths, zig-zag integers, doubles as 8 little-endian bytes, object members
/// sorted by key bytes. Equal values always encode to equal bytes.
extension JSONValue {
    private enum Tag: UInt8 {
        case null = 0, falseValue = 1, trueValue = 2, int = 3, double = 4, string = 5, array = 6, object = 7
    }

    func encodeBinary(into writer: inout ByteWriter) {
        switch self {
        case .null:
            writer.append(Tag.null.rawValue)
        case .bool(let value):
            writer.append(value ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
        case .int(let value):
            writer.append(Tag.int.rawValue)
            writer.appendSignedVarint(value)
        case .double(let value):
            writer.append(Tag.double.rawValue)
            writer.appendLittleEndian(value.bitPattern)
        case .float(let value):
            // Stored as the double it reads back as, so stored values never hold the case.
            writer.append(Tag.double.rawValue)
            writer.appendLittleEndian(Double(value).bitPattern)
        case .string(let value):
            writer.append(Tag.string.rawValue)
            writer.appendLengthPrefixed(value)
        case .array(let elements):
            writer.append(Tag.array.rawValue)
            writer.appendVarint(elements.count)
            for element in elements {
                element.encodeBinary(into: &writer)
            }
        case .object(let members):
            writer.append(Tag.object.rawValue)
            Self.encodeBinaryMembers(members, into: &writer)
        }
    }

    static func encodeBinaryMembers(_ members: [String: JSONValue], into writer: inout ByteWriter) {
        writer.appendVarint(members.count)
        let sorted = members.map { (key: Array($0.key.utf8), value: $0.value) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for member in sorted {
            writer.appendLengthPrefixed(member.key)
            member.value.encodeBinary(into: &writer)
        }
    }

    static func decodeBinary(from reader: inout ByteReader, depth: Int = 0) throws -> JSONValue {
        guard depth <= maximumNestingDepth + 1 else { throw reader.corrupt("JSON nested too deeply") }
        let tagByte = try reader.readByte()
        guard let tag = Tag(rawValue: tagByte) else { throw reader.corrupt("unknown JSON tag \(tagByte)") }
        switch tag {
        case .null: return .null
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .int: return .int(try reader.readSignedVarint())
        case .double: return .double(Double(bitPattern: try reader.readLittleEndianUInt64()))
        case .string: return .string(try reader.readLengthPrefixedString())
        case .array:
            let count = try reader.readLength()
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for _ in 0 ..< count {
                elements.append(try decodeBinary(from: &reader, depth: depth + 1))
            }
            return .array(elements)
        case .object:
            return .object(try decodeBinaryMembers(from: &reader, depth: depth + 1))
        }
    }

    static func decodeBinaryMembers(from reader: inout ByteReader, depth: Int = 0) throws -> [String: JSONValue] {
        let count = try reader.readLength()
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(count)
        for _ in 0 ..< count {
            let key = try reader.readLengthPrefixedString()
            members[key] = try decodeBinary(from: &reader, depth: depth)
        }
        return members
    }
}
