/// A JSON value as stored in payloads. Integers and doubles are distinct cases, so an integer
/// written as `3` stays `.int(3)` through storage and back.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// A single-precision number, written in float32's shortest round-trip form. Never parsed
    /// or stored: it lets vectors and scores render as Qdrant renders its f32 values, in about
    /// half the text a double's digits take.
    case float(Float)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { object } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { array } else { nil }
    }

    public var stringValue: String? {
        if case .string(let string) = self { string } else { nil }
    }

    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The value as a double for numeric comparisons (integers convert, others are nil).
    public var numericValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .float(let value): Double(value)
        default: nil
        }
    }

    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// Nesting depth: 0 for scalars, 1 for a flat array or object.
    var depth: Int {
        switch self {
        case .array(let elements): 1 + (elements.map(\.depth).max() ?? 0)
        case .object(let members): 1 + (members.values.map(\.depth).max() ?? 0)
        default: 0
        }
    }

    /// The path of the first NaN or infinite double, if any (payloads must be valid JSON).
    func firstNonFinitePath(prefix: String = "") -> String? {
        switch self {
        case .double(let value):
            return value.isFinite ? nil : (prefix.isEmpty ? "(root)" : prefix)
        case .float(let value):
            return value.isFinite ? nil : (prefix.isEmpty ? "(root)" : prefix)
        case .array(let elements):
            for (position, element) in elements.enumerated() {
                if let path = element.firstNonFinitePath(prefix: "\(prefix)[\(position)]") { return path }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                if let found = members[key]!.firstNonFinitePath(prefix: path) { return found }
            }
            return nil
        default:
            return nil
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
