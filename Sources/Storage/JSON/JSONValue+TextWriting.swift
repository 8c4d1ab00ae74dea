extension JSONValue {
    /// Compact JSON text with object keys sorted, so equal values give equal text.
    /// Non-finite doubles (never stored: validation rejects them) are written as `null`.
    public var jsonText: String {
        var output: [UInt8] = []
        writeJSON(into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    public var jsonBytes: [UInt8] {
        var output: [UInt8] = []
        writeJSON(into: &output)
        return output
    }

    func writeJSON(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            Self.writeInteger(value, into: &output)
        case .double(let value):
            Self.writeDouble(value, into: &output)
        case .float(let value):
            Self.writeFloat(value, into: &output)
        case .string(let value):
            Self.writeJSONString(value, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                element.writeJSON(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (position, key) in members.keys.sorted().enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeJSONString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.writeJSON(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Shortest text that reads back to the same double; always has a '.' or exponent so it
    /// parses back as a double, not an integer.
    static func jsonNumberText(_ value: Double) -> String {
        var output: [UInt8] = []
        writeDouble(value, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func writeJSONString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
            case 0x0A: output.append(contentsOf: "\\n".utf8)
            case 0x0D: output.append(contentsOf: "\\r".utf8)
            case 0x09: output.append(contentsOf: "\\t".utf8)
            case 0x00 ..< 0x20:
                let hex = String(byte, radix: 16)
                output.append(contentsOf: "\\u00".utf8)
                if hex.count == 1 { output.append(UInt8(ascii: "0")) }
                output.append(contentsOf: hex.utf8)
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
