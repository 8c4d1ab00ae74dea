import Lifecycle
import Storage

/// Typed reads from a decoded JSON object, each failure a 400 that names the field.
struct JSONFields {
    let fields: [String: JSONValue]
    let context: String

    init(_ value: JSONValue, context: String = "request body") throws {
        guard case let .object(fields) = value else {
            throw APIError.badRequest("\(context) must be a JSON object")
        }
        self.fields = fields
        self.context = context
    }

    subscript(key: String) -> JSONValue? {
        guard let value = fields[key], !value.isNull else { return nil }
        return value
    }

    func int(_ key: String, default defaultValue: Int? = nil, range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let value = self[key] else { return defaultValue }
        let number: Int
        switch value {
        case let .int(integer) where integer >= Int64(Int.min) && integer <= Int64(Int.max): number = Int(integer)
        case let .double(double) where double.rounded() == double && abs(double) < 1e15: number = Int(double)
        default: throw APIError.badRequest("`\(key)` in \(context) must be an integer")
        }
        if let range, !range.contains(number) {
            throw APIError.badRequest("`\(key)` must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    func double(_ key: String) throws -> Double? {
        guard let value = self[key] else { return nil }
        guard let number = value.numericValue, number.isFinite else {
            throw APIError.badRequest("`\(key)` in \(context) must be a finite number")
        }
        return number
    }

    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        try bool(key) ?? defaultValue
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = self[key] else { return nil }
        guard case let .bool(flag) = value else { throw APIError.badRequest("`\(key)` in \(context) must be true or false") }
        return flag
    }

    func string(_ key: String) throws -> String? {
        guard let value = self[key] else { return nil }
        guard case let .string(text) = value else { throw APIError.badRequest("`\(key)` in \(context) must be a string") }
        return text
    }

    func requireString(_ key: String) throws -> String {
        guard let text = try string(key) else { throw APIError.badRequest("missing `\(key)` in \(context)") }
        return text
    }

    func object(_ key: String) throws -> JSONFields? {
        guard let value = self[key] else { return nil }
        return try JSONFields(value, context: "`\(key)`")
    }

    /// A key this request may not carry is refused, never ignored (null values count as absent).
    func refuseUnknown(allowed: Set<String>) throws {
        if let unknown = fields.filter({ !$0.value.isNull }).keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest("`\(unknown)` in \(context) is not supported")
        }
    }

    func filter(_ key: String = "filter") throws -> Filter? {
        guard let value = self[key] else { return nil }
        do { return try Filter(json: value) } catch {
            throw APIError.badRequest("invalid `\(key)`: \(error)")
        }
    }
}

enum WireFormat {
    /// A point id: an unsigned integer or a UUID (with or without hyphens).
    static func pointID(_ value: JSONValue, field: String = "id") throws -> PointID {
        switch value {
        case let .int(number) where number >= 0: return .number(UInt64(number))
        case let .double(number) where number >= 0 && number.rounded() == number && number < 1.8e19: return .number(UInt64(number))
        case let .string(text):
            if let parsed = PointID(uuidString: text) { return parsed }
            if let number = UInt64(text) { return .number(number) }
            throw APIError.badRequest("`\(field)` '\(text)' is neither an unsigned integer nor a UUID")
        default:
            throw APIError.badRequest("`\(field)` must be an unsigned integer or a UUID string")
        }
    }

    static func pointIDs(_ value: JSONValue?, field: String) throws -> [PointID] {
        guard case let .array(items)? = value else { throw APIError.badRequest("`\(field)` must be a list of point ids") }
        return try items.map { try pointID($0, field: field) }
    }

    static func json(_ id: PointID) -> JSONValue {
        switch id {
        case let .number(number): number <= UInt64(Int64.max) ? .int(Int64(number)) : .string(String(number))
        case .uuid: .string(id.description)
        }
    }

    /// A dense vector: a list of finite numbers.
    static func vector(_ value: JSONValue, field: String) throws -> [Float] {
        guard case let .array(items) = value else { throw APIError.badRequest("`\(field)` must be a list of numbers") }
        var vector: [Float] = []
        vector.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            guard let number = item.numericValue else {
                throw APIError.badRequest("`\(field)` must contain only numbers (position \(position) is not)")
            }
            let component = Float(number)
            guard component.isFinite else {
                throw APIError.badRequest("`\(field)` contains NaN, an infinity or a value outside float32 range at position \(position)")
            }
            vector.append(component)
        }
        return vector
    }

    /// A float rendered by its shortest decimal form, as Qdrant prints f32 scores.
    static func number(_ value: Float) -> JSONValue {
        .float(value)
    }
}
