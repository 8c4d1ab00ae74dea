/// A payload filter with Qdrant's meaning: every `must` condition holds, at least one `should`
/// condition holds (when there are any), and no `mustNot` condition holds.
public struct Filter: Sendable, Hashable {
    public var must: [Condition]
    public var should: [Condition]
    public var mustNot: [Condition]

    public init(must: [Condition] = [], should: [Condition] = [], mustNot: [Condition] = []) {
        self.must = must
        self.should = should
        self.mustNot = mustNot
    }
}

public indirect enum Condition: Sendable, Hashable {
    case field(FieldCondition)
    /// The point's id is one of these.
    case hasID(Set<PointID>)
    /// The key is missing, null, or an empty array.
    case isEmpty(PayloadPath)
    /// The key is present with the value null.
    case isNull(PayloadPath)
    /// Some object element of the array at `path` satisfies `filter` on its own.
    case nested(path: PayloadPath, filter: Filter)
    case filter(Filter)
    /// The point has the vector of this name: the primary (`""` in the unnamed form), a named
    /// dense or a sparse vector. Decided from the vector databases, not the payload.
    case hasVector(String)
}

public struct FieldCondition: Sendable, Hashable {
    public var key: PayloadPath
    public var predicate: FieldPredicate

    public init(key: PayloadPath, predicate: FieldPredicate) {
        self.key = key
        self.predicate = predicate
    }
}

/// What a field condition asks of each value at its key. It holds when any value (any element
/// of an array value) satisfies it; a missing key satisfies nothing.
public enum FieldPredicate: Sendable, Hashable {
    case match(MatchValue)
    case matchAny([MatchValue])
    /// Some value is not null and differs from every listed value (type differences count).
    case matchExcept([MatchValue])
    case range(NumericRange)
    /// Some value is a string that reads as a datetime (see `PayloadDatetime`) inside the range.
    case datetimeRange(DatetimeRange)
    /// Full-text match against the tokens of the string values (see `TextMatch`).
    case text(TextMatch)
    /// The number of values (array elements) at the key lies in the range.
    case valuesCount(NumericRange)
}

/// A value a `match` compares with. Comparison is typed: `.integer(3)` never equals `3.0`.
public enum MatchValue: Sendable, Hashable {
    case keyword(String)
    case integer(Int64)
    case bool(Bool)

    func equals(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.keyword(let expected), .string(let found)): expected == found
        case (.integer(let expected), .int(let found)): expected == found
        case (.bool(let expected), .bool(let found)): expected == found
        default: false
        }
    }

    var jsonValue: JSONValue {
        switch self {
        case .keyword(let value): .string(value)
        case .integer(let value): .int(value)
        case .bool(let value): .bool(value)
        }
    }
}

/// Bounds compared as doubles; integers in payloads are converted to `Double` first.
public struct NumericRange: Sendable, Hashable {
    public var greaterThan: Double?
    public var greaterThanOrEqual: Double?
    public var lessThan: Double?
    public var lessThanOrEqual: Double?

    public init(
        greaterThan: Double? = nil,
        greaterThanOrEqual: Double? = nil,
        lessThan: Double? = nil,
        lessThanOrEqual: Double? = nil
    ) {
        self.greaterThan = greaterThan
        self.greaterThanOrEqual = greaterThanOrEqual
        self.lessThan = lessThan
        self.lessThanOrEqual = lessThanOrEqual
    }

    public func contains(_ value: Double) -> Bool {
        satisfiesLowerBounds(value) && satisfiesUpperBounds(value)
    }

    func satisfiesLowerBounds(_ value: Double) -> Bool {
        if let bound = greaterThan, !(value > bound) { return false }
        if let bound = greaterThanOrEqual, !(value >= bound) { return false }
        return true
    }

    func satisfiesUpperBounds(_ value: Double) -> Bool {
        if let bound = lessThan, !(value < bound) { return false }
        if let bound = lessThanOrEqual, !(value <= bound) { return false }
        return true
    }
}

/// Bounds in microseconds since the epoch, from RFC 3339 strings (Qdrant's `DatetimeRange`).
public struct DatetimeRange: Sendable, Hashable {
    public var greaterThan: Int64?
    public var greaterThanOrEqual: Int64?
    public var lessThan: Int64?
    public var lessThanOrEqual: Int64?

    public init(greaterThan: Int64? = nil, greaterThanOrEqual: Int64? = nil, lessThan: Int64? = nil, lessThanOrEqual: Int64? = nil) {
        self.greaterThan = greaterThan
        self.greaterThanOrEqual = greaterThanOrEqual
        self.lessThan = lessThan
        self.lessThanOrEqual = lessThanOrEqual
    }

    public func contains(_ microseconds: Int64) -> Bool {
        satisfiesLowerBounds(microseconds) && satisfiesUpperBounds(microseconds)
    }

    func satisfiesLowerBounds(_ value: Int64) -> Bool {
        if let bound = greaterThan, !(value > bound) { return false }
        if let bound = greaterThanOrEqual, !(value >= bound) { return false }
        return true
    }

    func satisfiesUpperBounds(_ value: Int64) -> Bool {
        if let bound = lessThan, !(value < bound) { return false }
        if let bound = lessThanOrEqual, !(value <= bound) { return false }
        return true
    }

    /// The smallest value the lower bounds admit (where an index scan starts).
    var lowestAdmitted: Int64 {
        let strict = greaterThan.map { $0 == .max ? Int64.max : $0 + 1 }
        return [strict, greaterThanOrEqual].compactMap { $0 }.max() ?? .min
    }
}

/// A full-text condition: the query is split by `tokenizer` and compared with the tokens of
/// every string value at the key. A query with no tokens matches nothing.
///
/// The store sets `tokenizer` from the field's text index before it evaluates (see
/// `Filter.bindingTextTokenizers`), so index answers and payload checks agree. Without a text
/// index the payload is tokenized at evaluation with `TextTokenizer.standard`: the answer an
/// index with Qdrant's default parameters would give. (Qdrant itself, without an index,
/// matches each query word as a substring, so "fox" would also match "foxes" there.)
public struct TextMatch: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        /// Qdrant `text`: every query token occurs among the tokens of the point's values.
        case allTokens
        /// Qdrant `text_any`: at least one query token occurs.
        case anyToken
        /// Qdrant `phrase`: the query tokens occur consecutively, in order, within one value.
        case phrase
    }

    public var query: String
    public var mode: Mode
    public var tokenizer: TextTokenizer
    /// The field has no full-text index: Qdrant then matches substrings, not tokens (`text` and
    /// `phrase`: the whole query within one value; `text_any`: any whitespace-separated word).
    public var matchesSubstrings: Bool

    public init(query: String, mode: Mode, tokenizer: TextTokenizer = .standard, matchesSubstrings: Bool = false) {
        self.query = query
        self.mode = mode
        self.tokenizer = tokenizer
        self.matchesSubstrings = matchesSubstrings
    }

    /// The query's tokens with repeats dropped (all that `allTokens` and `anyToken` need).
    var distinctQueryTokens: [String] {
        var seen = Set<String>()
        return tokenizer.tokens(of: query).filter { seen.insert($0).inserted }
    }

    /// Whether the string values of one point satisfy the match.
    public func matches(values: [String]) -> Bool {
        if matchesSubstrings { return matchesAsSubstrings(values) }
        let queryTokens = tokenizer.tokens(of: query)
        guard !queryTokens.isEmpty else { return false }
        switch mode {
        case .allTokens, .anyToken:
            let present = Set(values.flatMap(tokenizer.tokens(of:)))
            return mode == .allTokens ? queryTokens.allSatisfy(present.contains) : queryTokens.contains(where: present.contains)
        case .phrase:
            return values.contains { value in
                let tokens = tokenizer.tokens(of: value)
                guard tokens.count >= queryTokens.count else { return false }
                return (0 ... tokens.count - queryTokens.count).contains { start in
                    tokens[start ..< start + queryTokens.count].elementsEqual(queryTokens)
                }
            }
        }
    }
}

extension Filter {
    /// Convenience for the common `must: [key == value]` shape.
    public static func matching(_ key: PayloadPath, _ value: MatchValue) -> Filter {
        Filter(must: [.field(FieldCondition(key: key, predicate: .match(value)))])
    }
}
