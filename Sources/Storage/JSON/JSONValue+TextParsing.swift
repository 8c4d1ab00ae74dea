#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONValue {
    /// Deepest nesting accepted from outside; deeper input would risk the stack.
    public static let maximumNestingDepth = 64

    /// Parses JSON text (RFC 8259). A number with no fraction or exponent that fits `Int64`
    /// becomes `.int`, any other number `.double`. Duplicate object keys keep the last value.
    public init(parsing text: String) throws {
        try self.init(parsing: Array(text.utf8))
    }

    public init(parsing bytes: [UInt8]) throws {
        var parser = JSONTextParser(bytes: bytes)
        self = try parser.parseDocument()
    }
}

private struct JSONTextParser {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func failure(_ reason: String) -> StorageError {
        .invalidJSON(reason, offset: offset)
    }

    mutating func parseDocument() throws -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard offset == bytes.count else { throw failure("unexpected content after the value") }
        return value
    }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        skipWhitespace()
        guard offset < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[offset])))'")
        }
    }

    mutating func expectLiteral(_ literal: String) throws {
        let utf8 = Array(literal.utf8)
        guard bytes.count - offset >= utf8.count, Array(bytes[offset ..< offset + utf8.count]) == utf8 else {
            throw failure("expected '\(literal)'")
        }
        offset += utf8.count
    }

    mutating func parseObject(depth: Int) throws -> JSONValue {
        guard depth <= JSONValue.maximumNestingDepth else { throw failure("nesting deeper than \(JSONValue.maximumNestingDepth)") }
        offset += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            offset += 1
            members[key] = try parseValue(depth: depth)
            skipWhitespace()
            guard offset < bytes.count else { throw failure("unterminated object") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            } else {
                throw failure("expected ',' or '}'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws -> JSONValue {
        guard depth <= JSONValue.maximumNestingDepth else { throw failure("nesting deeper than \(JSONValue.maximumNestingDepth)") }
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard offset < bytes.count else { throw failure("unterminated array") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(elements)
            } else {
                throw failure("expected ',' or ']'")
            }
        }
    }

    /// Numbers are read from the bytes without building a String: integers by accumulation,
    /// most decimals exactly by Clinger's fast path, the rest by `strtod` on a stack copy.
    mutating func parseNumber() throws -> JSONValue {
        let start = offset
        var isInteger = true
        let negative = bytes[offset] == UInt8(ascii: "-")
        if negative { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure("expected a digit") }
        var digits = DecimalDigits()
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) {
                digits.append(bytes[offset])
                offset += 1
            }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure("expected a digit after '.'") }
            while offset < bytes.count, isDigit(bytes[offset]) {
                digits.append(bytes[offset])
                digits.fractionDigits += 1
                offset += 1
            }
        }
        var exponent = 0
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            var exponentNegative = false
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                exponentNegative = bytes[offset] == UInt8(ascii: "-")
                offset += 1
            }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure("expected an exponent") }
            while offset < bytes.count, isDigit(bytes[offset]) {
                // Saturates: anything this large is out of range or zero either way.
                exponent = min(exponent * 10 + Int(bytes[offset] - UInt8(ascii: "0")), 100_000)
                offset += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        if isInteger, !digits.overflowed {
            if negative, digits.mantissa <= UInt64(Int64.max) + 1 {
                return .int(digits.mantissa == UInt64(Int64.max) + 1 ? .min : -Int64(digits.mantissa))
            }
            if !negative, digits.mantissa <= UInt64(Int64.max) { return .int(Int64(digits.mantissa)) }
        }
        let value = digits.exactValue(exponent: exponent) ?? parseWithStrtod(start ..< offset)
        guard value.isFinite else {
            throw failure("number \(String(decoding: bytes[start ..< offset], as: UTF8.self)) is out of range")
        }
        return .double(negative ? -value : value)
    }

    /// The correctly rounded value of `bytes[range]` (the sign included) from the C library.
    func parseWithStrtod(_ range: Range<Int>) -> Double {
        let magnitude = Swift.abs(withUnsafeTemporaryAllocation(of: CChar.self, capacity: range.count + 1) { buffer in
            for (position, byte) in bytes[range].enumerated() { buffer[position] = CChar(bitPattern: byte) }
            buffer[range.count] = 0
            return strtod(buffer.baseAddress!, nil)
        })
        return magnitude
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    mutating func skipDigits() {
        while offset < bytes.count, isDigit(bytes[offset]) {
            offset += 1
        }
    }

    mutating func parseString() throws -> String {
        offset += 1
        var utf8: [UInt8] = []
        while true {
            guard offset < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw failure("string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0x00 ..< 0x20:
                throw failure("control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    mutating func parseEscape(into utf8: inout [UInt8]) throws {
        guard offset < bytes.count else { throw failure("unterminated escape") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): utf8.append(0x22)
        case UInt8(ascii: "\\"): utf8.append(0x5C)
        case UInt8(ascii: "/"): utf8.append(0x2F)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalarValue = UInt32(try parseHex4())
            if (0xD800 ..< 0xDC00).contains(scalarValue) {
                guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw failure("unpaired surrogate")
                }
                offset += 2
                let low = UInt32(try parseHex4())
                guard (0xDC00 ..< 0xE000).contains(low) else { throw failure("invalid low surrogate") }
                scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw failure("invalid unicode escape") }
            utf8.append(contentsOf: String(Character(scalar)).utf8)
        default:
            throw failure("invalid escape")
        }
    }

    mutating func parseHex4() throws -> UInt16 {
        guard bytes.count - offset >= 4 else { throw failure("short unicode escape") }
        let text = String(decoding: bytes[offset ..< offset + 4], as: UTF8.self)
        guard let value = UInt16(text, radix: 16) else { throw failure("invalid unicode escape") }
        offset += 4
        return value
    }
}
