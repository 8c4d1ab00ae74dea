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

extension Filter {
    /// Convenience for the common `must: [key == value]` shape.
    public static func matching(_ key: PayloadPath, _ value: MatchValue) -> Filter {
        Filter(must: [.field(FieldCondition(key: key, predicate: .match(value)))])
    }
}
