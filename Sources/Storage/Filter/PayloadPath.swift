/// A key into a payload: dot-separated object keys, where `name[]` steps into every element of
/// the array `name` (`items[].sku`). An array reached at the end of a path is not unpacked
/// here; conditions treat it as "any element" themselves.
public struct PayloadPath: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case key(String)
        case eachElement
    }

    /// Index keys carry the path, and LMDB keys are at most 511 bytes.
    static let maximumIndexedPathBytes = 128

    public let rawValue: String
    public let segments: [Segment]

    public var description: String { rawValue }

    public init(parsing text: String) throws {
        try self.init(parsing: text, forIndex: false)
    }

    init(parsing text: String, forIndex: Bool) throws {
        func failure(_ reason: String) -> StorageError {
            .invalidPayloadPath(text, reason: reason)
        }
        guard !text.isEmpty else { throw failure("it is empty") }
        if forIndex, text.utf8.count > Self.maximumIndexedPathBytes {
            throw failure("indexed keys are at most \(Self.maximumIndexedPathBytes) bytes")
        }
        var segments: [Segment] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var name = Substring(part)
            var arraySteps = 0
            while name.hasSuffix("[]") {
                name = name.dropLast(2)
                arraySteps += 1
            }
            guard !name.isEmpty else { throw failure("a key between dots is empty") }
            guard !name.contains("["), !name.contains("]") else {
                throw failure("only '[]' (every element) is supported inside keys, not array positions")
            }
            segments.append(.key(String(name)))
            segments.append(contentsOf: repeatElement(.eachElement, count: arraySteps))
        }
        self.rawValue = text
        self.segments = segments
    }

    /// Every value the path reaches. Keys that are missing, or that meet a non-object, and
    /// `[]` steps that meet a non-array, reach nothing.
    public func values(in payload: [String: JSONValue]) -> [JSONValue] {
        guard case .key(let first) = segments[0], let root = payload[first] else { return [] }
        var current = [root]
        for segment in segments.dropFirst() {
            var next: [JSONValue] = []
            switch segment {
            case .key(let key):
                for value in current {
                    if case .object(let members) = value, let child = members[key] {
                        next.append(child)
                    }
                }
            case .eachElement:
                for value in current {
                    if case .array(let elements) = value {
                        next.append(contentsOf: elements)
                    }
                }
            }
            current = next
            if current.isEmpty { break }
        }
        return current
    }

    /// The values a field condition (and a payload index) looks at: reached values, with arrays
    /// unpacked one level so that a condition on an array field means "any element".
    public func leafValues(in payload: [String: JSONValue]) -> [JSONValue] {
        var leaves: [JSONValue] = []
        for value in values(in: payload) {
            if case .array(let elements) = value {
                leaves.append(contentsOf: elements)
            } else {
                leaves.append(value)
            }
        }
        return leaves
    }
}

extension PayloadPath: ExpressibleByStringLiteral {
    /// For keys written in code; a malformed literal is a programming error.
    public init(stringLiteral value: String) {
        do {
            try self.init(parsing: value)
        } catch {
            preconditionFailure("invalid payload key literal: \(error)")
        }
    }
}

extension PayloadPath: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
