/// Qdrant's JSON shape for filters (OpenAPI schemas `Filter`, `FieldCondition`, `Match*`,
/// `Range`, `ValuesCount`, `HasIdCondition`, `IsEmptyCondition`, `IsNullCondition`,
/// `NestedCondition`, `HasVectorCondition`, `MatchText`, `MatchTextAny`, `MatchPhrase`,
/// `DatetimeRange`). Geo, `match.prefix` and `min_should` are rejected with
/// `unsupportedFilter`; anything malformed with `invalidFilter`.
extension Filter {
    public init(json: JSONValue) throws {
        guard case .object(let members) = json else {
            throw StorageError.invalidFilter("a filter must be a JSON object")
        }
        try rejectUnknownKeys(members, allowed: ["must", "should", "must_not", "min_should"], in: "filter")
        if let minShould = members["min_should"], !minShould.isNull {
            throw StorageError.unsupportedFilter("'min_should'")
        }
        self.init(
            must: try Self.conditions(members["must"]),
            should: try Self.conditions(members["should"]),
            mustNot: try Self.conditions(members["must_not"])
        )
    }

    /// Longest `has_id`, `match.any` and `match.except` list: a filter is evaluated per
    /// candidate, and a list this long is better written as a payload index and a value.
    public static let maximumListLength = 100_000

    static func checkListLength(_ count: Int, in context: String) throws {
        guard count <= maximumListLength else {
            throw StorageError.invalidFilter("'\(context)' has \(count) elements; the maximum is \(maximumListLength) (split the request, or filter on an indexed payload value)")
        }
    }

    public init(jsonText: String) throws {
        try self.init(json: JSONValue(parsing: jsonText))
    }

    /// Qdrant accepts one condition or a list of them; null means none.
    private static func conditions(_ value: JSONValue?) throws -> [Condition] {
        switch value {
        case nil, .null?: []
        case .array(let elements)?: try elements.map(Condition.init(json:))
        case let single?: [try Condition(json: single)]
        }
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [:]
        if !must.isEmpty { members["must"] = .array(must.map(\.json)) }
        if !should.isEmpty { members["should"] = .array(should.map(\.json)) }
        if !mustNot.isEmpty { members["must_not"] = .array(mustNot.map(\.json)) }
        return .object(members)
    }
}

extension Condition {
    public init(json: JSONValue) throws {
        guard case .object(let members) = json else {
            throw StorageError.invalidFilter("a condition must be a JSON object")
        }
        if members["key"] != nil {
            self = try Self.fieldConditions(members)
        } else if let ids = members["has_id"] {
            try rejectUnknownKeys(members, allowed: ["has_id"], in: "has_id condition")
            guard case .array(let elements) = ids else {
                throw StorageError.invalidFilter("'has_id' must be a list of point ids")
            }
            try Filter.checkListLength(elements.count, in: "has_id")
            self = .hasID(Set(try elements.map(Self.pointID(from:))))
        } else if let field = members["is_empty"] {
            try rejectUnknownKeys(members, allowed: ["is_empty"], in: "is_empty condition")
            self = .isEmpty(try Self.payloadField(field, in: "is_empty"))
        } else if let field = members["is_null"] {
            try rejectUnknownKeys(members, allowed: ["is_null"], in: "is_null condition")
            self = .isNull(try Self.payloadField(field, in: "is_null"))
        } else if let nested = members["nested"] {
            try rejectUnknownKeys(members, allowed: ["nested"], in: "nested condition")
            guard case .object(let body) = nested, let key = body["key"]?.stringValue, let filter = body["filter"] else {
                throw StorageError.invalidFilter("'nested' needs a string 'key' and a 'filter'")
            }
            try rejectUnknownKeys(body, allowed: ["key", "filter"], in: "nested condition")
            self = .nested(path: try PayloadPath(parsing: key), filter: try Filter(json: filter))
        } else if let vector = members["has_vector"] {
            try rejectUnknownKeys(members, allowed: ["has_vector"], in: "has_vector condition")
            guard let name = vector.stringValue else {
                throw StorageError.invalidFilter("'has_vector' must be a vector name (a string)")
            }
            self = .hasVector(name)
        } else {
            self = .filter(try Filter(json: json))
        }
    }

    private static func fieldConditions(_ members: [String: JSONValue]) throws -> Condition {
        try rejectUnknownKeys(
            members,
            allowed: ["key", "match", "range", "values_count", "is_empty", "is_null", "geo_bounding_box", "geo_radius", "geo_polygon"],
            in: "field condition"
        )
        guard let keyText = members["key"]?.stringValue else {
            throw StorageError.invalidFilter("a field condition's 'key' must be a string")
        }
        let key = try PayloadPath(parsing: keyText)
        for geo in ["geo_bounding_box", "geo_radius", "geo_polygon"] where !(members[geo]?.isNull ?? true) {
            throw StorageError.unsupportedFilter("'\(geo)'")
        }
        var conditions: [Condition] = []
        if let match = members["match"], !match.isNull {
            conditions.append(.field(FieldCondition(key: key, predicate: try matchPredicate(match, key: keyText))))
        }
        if let range = members["range"], !range.isNull {
            conditions.append(.field(FieldCondition(key: key, predicate: try rangePredicate(range, key: keyText))))
        }
        if let count = members["values_count"], !count.isNull {
            conditions.append(.field(FieldCondition(key: key, predicate: .valuesCount(try numericRange(count, in: "values_count")))))
        }
        for (name, make) in [("is_empty", Condition.isEmpty), ("is_null", Condition.isNull)] {
            switch members[name] {
            case nil, .null?: break
            case .bool(true)?: conditions.append(make(key))
            case .bool(false)?: conditions.append(.filter(Filter(mustNot: [make(key)])))
            default: throw StorageError.invalidFilter("'\(name)' in a field condition must be true or false")
            }
        }
        guard !conditions.isEmpty else {
            throw StorageError.invalidFilter("field condition on '\(keyText)' has no match, range, values_count, is_empty or is_null")
        }
        return conditions.count == 1 ? conditions[0] : .filter(Filter(must: conditions))
    }

    private static func matchPredicate(_ json: JSONValue, key: String) throws -> FieldPredicate {
        guard case .object(let members) = json else {
            throw StorageError.invalidFilter("'match' on '\(key)' must be an object")
        }
        if members["prefix"] != nil {
            throw StorageError.unsupportedFilter("match 'prefix'")
        }
        try rejectUnknownKeys(members, allowed: ["value", "any", "except", "text", "text_any", "phrase"], in: "match")
        guard members.count == 1, let (kind, value) = members.first else {
            throw StorageError.invalidFilter("'match' on '\(key)' needs exactly one of value, any, except, text, text_any, phrase")
        }
        switch kind {
        case "value":
            return .match(try matchValue(value))
        case "any":
            return .matchAny(try matchValues(value, in: "any"))
        case "except":
            return .matchExcept(try matchValues(value, in: "except"))
        default:
            guard let query = value.stringValue else {
                throw StorageError.invalidFilter("'match.\(kind)' on '\(key)' must be a string")
            }
            let mode: TextMatch.Mode = switch kind {
            case "text": .allTokens
            case "text_any": .anyToken
            default: .phrase
            }
            return .text(TextMatch(query: query, mode: mode))
        }
    }

    /// Qdrant tells a `DatetimeRange` from a numeric `Range` by its bounds: strings are
    /// datetimes. A range with both kinds is neither.
    private static func rangePredicate(_ json: JSONValue, key: String) throws -> FieldPredicate {
        guard case .object(let members) = json else {
            throw StorageError.invalidFilter("'range' on '\(key)' must be an object")
        }
        let bounds = members.filter { !$0.value.isNull }
        guard bounds.values.contains(where: { $0.stringValue != nil }) else {
            return .range(try numericRange(json, in: "range"))
        }
        try rejectUnknownKeys(members, allowed: ["gt", "gte", "lt", "lte"], in: "range")
        func bound(_ name: String) throws -> Int64? {
            guard let value = bounds[name] else { return nil }
            guard let text = value.stringValue else {
                throw StorageError.invalidFilter("'range' on '\(key)' mixes datetime strings and \(value.jsonText) in '\(name)'; use one kind of bound")
            }
            guard let instant = PayloadDatetime.microseconds(parsing: text) else {
                throw StorageError.invalidFilter("'range.\(name)' on '\(key)': '\(text)' is not a datetime; use RFC 3339 such as 2024-01-31T12:00:00Z, 2024-01-31T12:00:00+02:00 or 2024-01-31")
            }
            return instant
        }
        return .datetimeRange(DatetimeRange(
            greaterThan: try bound("gt"),
            greaterThanOrEqual: try bound("gte"),
            lessThan: try bound("lt"),
            lessThanOrEqual: try bound("lte")
        ))
    }

    private static func matchValues(_ json: JSONValue, in context: String) throws -> [MatchValue] {
        guard case .array(let elements) = json else {
            throw StorageError.invalidFilter("'\(context)' must be a list")
        }
        try Filter.checkListLength(elements.count, in: "match.\(context)")
        return try elements.map(matchValue)
    }

    private static func matchValue(_ json: JSONValue) throws -> MatchValue {
        switch json {
        case .string(let value): return .keyword(value)
        case .int(let value): return .integer(value)
        case .bool(let value): return .bool(value)
        default:
            throw StorageError.invalidFilter("match values are strings, integers or booleans, not \(json.jsonText); use 'range' for decimals")
        }
    }

    private static func numericRange(_ json: JSONValue, in context: String) throws -> NumericRange {
        guard case .object(let members) = json else {
            throw StorageError.invalidFilter("'\(context)' must be an object")
        }
        try rejectUnknownKeys(members, allowed: ["gt", "gte", "lt", "lte"], in: context)
        func bound(_ name: String) throws -> Double? {
            switch members[name] {
            case nil, .null?: return nil
            case .string?: throw StorageError.invalidFilter("'\(context).\(name)' must be a number")
            case let value?:
                guard let number = value.numericValue, number.isFinite else {
                    throw StorageError.invalidFilter("'\(context).\(name)' must be a number")
                }
                return number
            }
        }
        return NumericRange(
            greaterThan: try bound("gt"),
            greaterThanOrEqual: try bound("gte"),
            lessThan: try bound("lt"),
            lessThanOrEqual: try bound("lte")
        )
    }

    private static func payloadField(_ json: JSONValue, in context: String) throws -> PayloadPath {
        guard case .object(let members) = json, let key = members["key"]?.stringValue else {
            throw StorageError.invalidFilter("'\(context)' must be an object with a string 'key'")
        }
        try rejectUnknownKeys(members, allowed: ["key"], in: context)
        return try PayloadPath(parsing: key)
    }

    private static func pointID(from json: JSONValue) throws -> PointID {
        switch json {
        case .int(let value) where value >= 0:
            return .number(UInt64(value))
        case .string(let text):
            if let id = PointID(uuidString: text) { return id }
            throw StorageError.invalidFilter("'\(text)' is not a UUID")
        default:
            throw StorageError.invalidFilter("point ids are unsigned integers or UUID strings, not \(json.jsonText)")
        }
    }

    public var json: JSONValue {
        switch self {
        case .field(let condition):
            return .object(["key": .string(condition.key.rawValue)].merging(condition.predicate.jsonMembers) { first, _ in first })
        case .hasID(let ids):
            return ["has_id": .array(ids.sorted().map(\.json))]
        case .isEmpty(let path):
            return ["is_empty": ["key": .string(path.rawValue)]]
        case .isNull(let path):
            return ["is_null": ["key": .string(path.rawValue)]]
        case .nested(let path, let filter):
            return ["nested": ["key": .string(path.rawValue), "filter": filter.json]]
        case .filter(let filter):
            return filter.json
        case .hasVector(let name):
            return ["has_vector": .string(name)]
        }
    }
}

extension FieldPredicate {
    fileprivate var jsonMembers: [String: JSONValue] {
        switch self {
        case .match(let value): ["match": ["value": value.jsonValue]]
        case .matchAny(let values): ["match": ["any": .array(values.map(\.jsonValue))]]
        case .matchExcept(let values): ["match": ["except": .array(values.map(\.jsonValue))]]
        case .range(let range): ["range": range.json]
        case .datetimeRange(let range): ["range": range.json]
        case .text(let match): ["match": [match.mode.qdrantName: .string(match.query)]]
        case .valuesCount(let range): ["values_count": range.json]
        }
    }
}

extension NumericRange {
    fileprivate var json: JSONValue {
        var members: [String: JSONValue] = [:]
        for (name, bound) in [("gt", greaterThan), ("gte", greaterThanOrEqual), ("lt", lessThan), ("lte", lessThanOrEqual)] {
            if let bound {
                members[name] = bound.rounded() == bound && abs(bound) < 9.0e15 ? .int(Int64(bound)) : .double(bound)
            }
        }
        return .object(members)
    }
}

extension DatetimeRange {
    fileprivate var json: JSONValue {
        var members: [String: JSONValue] = [:]
        for (name, bound) in [("gt", greaterThan), ("gte", greaterThanOrEqual), ("lt", lessThan), ("lte", lessThanOrEqual)] {
            if let bound { members[name] = .string(PayloadDatetime.format(microseconds: bound)) }
        }
        return .object(members)
    }
}

extension TextMatch.Mode {
    /// The key of Qdrant's `Match` variant.
    var qdrantName: String {
        switch self {
        case .allTokens: "text"
        case .anyToken: "text_any"
        case .phrase: "phrase"
        }
    }
}

extension PointID {
    var json: JSONValue {
        switch self {
        case .number(let value) where value <= UInt64(Int64.max): .int(Int64(value))
        case .number(let value): .double(Double(value))
        case .uuid: .string(description)
        }
    }
}

private func rejectUnknownKeys(_ members: [String: JSONValue], allowed: Set<String>, in context: String) throws {
    if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
        throw StorageError.invalidFilter("unknown key '\(unknown)' in \(context)")
    }
}

extension Filter: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
