import Lifecycle
import Storage

/// Qdrant's `with_payload` (true, false, a key list, include/exclude) and `with_vector`.
struct ResultSelection {
    enum Payload { case none, all, include(Set<String>), exclude(Set<String>) }

    var payload: Payload
    var vector: Bool
    /// The vectors `with_vector` named (nil: all of them).
    var vectorNames: Set<String>?
    /// The primary vector's name in a named-vector collection; nil renders the unnamed form.
    var primaryName: String?

    init(_ body: JSONFields, payloadDefault: Bool, vectorDefault: Bool = false, schema: CollectionSchema? = nil) throws {
        primaryName = schema?.vectorName
        switch body["with_payload"] {
        case nil: payload = payloadDefault ? .all : .none
        case let .bool(flag)?: payload = flag ? .all : .none
        case let .array(keys)?: payload = .include(Set(try Self.keys(keys)))
        case let .object(selector)?:
            if let include = selector["include"]?.arrayValue { payload = .include(Set(try Self.keys(include))) }
            else if let exclude = selector["exclude"]?.arrayValue { payload = .exclude(Set(try Self.keys(exclude))) }
            else { throw APIError.badRequest("`with_payload` object needs `include` or `exclude`") }
        default: throw APIError.badRequest("`with_payload` must be a boolean, a list of keys or {include|exclude}")
        }
        switch body["with_vector"] {
        case nil: vector = vectorDefault
        case let .bool(flag)?: vector = flag
        case let .array(names)?:
            let listed = try Self.keys(names)
            vector = !listed.isEmpty
            vectorNames = Set(listed)
        default: throw APIError.badRequest("`with_vector` must be a boolean or a list of vector names")
        }
    }

    var wantsPayload: Bool { if case .none = payload { false } else { true } }

    static func keys(_ values: [JSONValue]) throws -> [String] {
        try values.map { value in
            guard let key = value.stringValue else { throw APIError.badRequest("payload selectors must be strings") }
            return key
        }
    }

    func payloadJSON(_ payload: [String: JSONValue]) -> JSONValue? {
        switch self.payload {
        case .none: nil
        case .all: .object(payload)
        case let .include(keys):
            .object(payload.filter { entry in keys.contains(entry.key) || keys.contains { $0.hasPrefix(entry.key + ".") } })
        case let .exclude(keys): .object(payload.filter { !keys.contains($0.key) })
        }
    }

    /// A Record (retrieve, scroll) or, with a score, a ScoredPoint (search).
    func render(_ point: Point, score: Float? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["id": WireFormat.json(point.id)]
        if let score {
            object["version"] = 0
            object["score"] = WireFormat.number(score)
        }
        if let payload = payloadJSON(point.payload) { object["payload"] = payload }
        if vector, let vectors = VectorRendering.vectors(of: point, primaryName: primaryName, only: vectorNames) {
            object["vector"] = vectors
        }
        return .object(object)
    }
}

/// A point's vectors as Qdrant renders them: a list in the unnamed form, else a map of
/// name to list (dense) or `{indices, values}` (sparse).
enum VectorRendering {
    static func vectors(of point: Point, primaryName: String?, only names: Set<String>? = nil) -> JSONValue? {
        guard let primaryName else { return point.vector.map(dense) }
        var map: [String: JSONValue] = [:]
        if let primary = point.vector { map[primaryName] = dense(primary) }
        for (name, vector) in point.namedVectors { map[name] = dense(vector) }
        for (name, vector) in point.sparseVectors {
            map[name] = ["indices": .array(vector.indices.map { .int(Int64($0)) }), "values": .array(vector.values.map(WireFormat.number))]
        }
        if let names { map = map.filter { names.contains($0.key) } }
        return .object(map)
    }

    static func dense(_ vector: [Float]) -> JSONValue { .array(vector.map(WireFormat.number)) }
}
