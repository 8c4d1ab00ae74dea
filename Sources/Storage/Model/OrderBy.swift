/// A scroll ordered by a payload field instead of by point id (Qdrant's `OrderBy`). The field
/// needs an integer, float or datetime payload index, as in Qdrant.
public struct OrderBy: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable {
        case ascending = "asc"
        case descending = "desc"
    }

    public var key: String
    public var direction: Direction
    /// Values before this one (below it ascending, above it descending) are skipped; it is
    /// itself included. A datetime is given as microseconds since the epoch.
    public var startFrom: OrderValue?

    public init(key: String, direction: Direction = .ascending, startFrom: OrderValue? = nil) {
        self.key = key
        self.direction = direction
        self.startFrom = startFrom
    }

    /// Qdrant's `OrderByInterface`: a bare key, or `{key, direction, start_from}`, where
    /// `start_from` is a number or an RFC 3339 datetime.
    public init(json: JSONValue) throws {
        if let key = json.stringValue {
            self.init(key: key)
            return
        }
        guard case .object(let members) = json else {
            throw StorageError.invalidOrderBy("it must be a payload key or an object with `key`, `direction`, `start_from`")
        }
        if let unknown = members.keys.sorted().first(where: { !["key", "direction", "start_from"].contains($0) }) {
            throw StorageError.invalidOrderBy("unknown key `\(unknown)`; use `key`, `direction`, `start_from`")
        }
        guard let key = members["key"]?.stringValue else {
            throw StorageError.invalidOrderBy("`key` must be a payload key (a string)")
        }
        var direction = Direction.ascending
        switch members["direction"] {
        case nil, .null?: break
        case .string(let name)?:
            guard let parsed = Direction(rawValue: name) else {
                throw StorageError.invalidOrderBy("`direction` must be `asc` or `desc`, not `\(name)`")
            }
            direction = parsed
        case let other?:
            throw StorageError.invalidOrderBy("`direction` must be `asc` or `desc`, not \(other.jsonText)")
        }
        var startFrom: OrderValue?
        switch members["start_from"] {
        case nil, .null?: break
        case .int(let value)?: startFrom = .integer(value)
        case .double(let value)?: startFrom = .double(value)
        case .string(let text)?:
            guard let instant = PayloadDatetime.microseconds(parsing: text) else {
                throw StorageError.invalidOrderBy("`start_from` '\(text)' is neither a number nor an RFC 3339 datetime such as 2024-01-31T12:00:00Z")
            }
            startFrom = .integer(instant)
        case let other?:
            throw StorageError.invalidOrderBy("`start_from` must be a number or a datetime string, not \(other.jsonText)")
        }
        self.init(key: key, direction: direction, startFrom: startFrom)
    }
}

/// The value a point was ordered by, as Qdrant reports it (`order_value`): an integer for
/// integer indexes and datetimes (microseconds since the epoch), a double for float indexes.
public enum OrderValue: Sendable, Hashable {
    case integer(Int64)
    case double(Double)

    public var json: JSONValue {
        switch self {
        case .integer(let value): .int(value)
        case .double(let value): .double(value)
        }
    }

    var doubleValue: Double {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        }
    }

    /// Integers compare exactly; anything involving a double compares as doubles. (Not
    /// `Comparable`: `.integer(3)` and `.double(3)` are unequal yet neither comes first.)
    func isBefore(_ other: OrderValue) -> Bool {
        if case .integer(let a) = self, case .integer(let b) = other { return a < b }
        return doubleValue < other.doubleValue
    }
}

/// One point of an ordered scroll, with the value it was placed by. A point with several values
/// in the field appears once per value, as in Qdrant.
public struct OrderedPoint: Sendable, Hashable {
    public var point: Point
    public var orderValue: OrderValue
}
