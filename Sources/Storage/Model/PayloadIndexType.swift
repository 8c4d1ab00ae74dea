/// What a payload index holds for its field. Each type files the values it understands under
/// their own key tag (see `PayloadIndexKey`) and ignores the rest, as Qdrant's typed indexes do.
public enum PayloadIndexType: Sendable, Hashable {
    case keyword
    case integer
    case float
    case bool
    /// RFC 3339 strings, filed as microseconds since the epoch (UTC).
    case datetime
    /// Strings split into tokens; each token is a key, so full-text matches are key lookups.
    case text(TextTokenizer)

    /// The name Qdrant uses for this type (`data_type` in collection info).
    public var name: String {
        switch self {
        case .keyword: "keyword"
        case .integer: "integer"
        case .float: "float"
        case .bool: "bool"
        case .datetime: "datetime"
        case .text: "text"
        }
    }

    /// Whether the index keeps its values in order, so it can answer ranges and `order_by`.
    public var isOrdered: Bool {
        switch self {
        case .integer, .float, .datetime: true
        case .keyword, .bool, .text: false
        }
    }

    /// The parameterless types by name (`text` needs its tokenizer, so it is not among them).
    static func simple(named name: String) -> PayloadIndexType? {
        switch name {
        case "keyword": .keyword
        case "integer": .integer
        case "float": .float
        case "bool": .bool
        case "datetime": .datetime
        default: nil
        }
    }
}

/// Stored in the schema as the bare name, as before text indexes existed, so older schemas
/// read unchanged; a text index is an object that also carries its tokenizer.
extension PayloadIndexType: Codable {
    private enum CodingKeys: String, CodingKey {
        case type
    }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            guard let type = Self.simple(named: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown payload index type `\(name)`"))
            }
            self = type
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .type)
        guard name == "text" else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown payload index type `\(name)`")
        }
        self = .text(try TextTokenizer(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        guard case .text(let tokenizer) = self else {
            var container = encoder.singleValueContainer()
            try container.encode(name)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .type)
        try tokenizer.encode(to: encoder)
    }
}
