import Lifecycle
import Storage

/// Qdrant's `with_payload` (true, false, a key list, include/exclude) and `with_vector`.
struct ResultSelection {
    enum Payload { case none, all, include(Set<String>), exclude(Set<String>) }

    var payload: Payload
    var vector: Bool

    init(_ body: JSONFields, payloadDefault: Bool, vectorDefault: Bool = false) throws {
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
        case let .array(names)?: vector = !(try Self.keys(names)).isEmpty
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
        if vector, let values = point.vector { object["vector"] = .array(values.map(WireFormat.number)) }
        return .object(object)
    }
}

/// Where a point's vector comes from: given, or embedded from text by a served model
/// (Qdrant's inference object `{"text": ..., "model": ...}`, what qdrant-client sends for
/// `models.Document`).
enum VectorSource: Sendable {
    case dense([Float])
    case document(text: String, model: String)

    /// An inference object has string `text` and `model` and nothing else but `options`.
    static func document(in fields: [String: JSONValue]) -> (text: String, model: String)? {
        guard let text = fields["text"]?.stringValue, let model = fields["model"]?.stringValue,
              Set(fields.keys).subtracting(["text", "model", "options"]).isEmpty else { return nil }
        return (text, model)
    }
}

struct PointDraft: Sendable {
    var id: PointID
    var vector: VectorSource
    var payload: JSONValue
}

/// Decoding of the point bodies of upserts.
enum PointDecoding {
    /// `{"points": [...]}` or `{"batch": {"ids", "vectors", "payloads"}}`.
    static func upsertPoints(_ body: JSONFields, limit: Int) throws -> [PointDraft] {
        if let points = body["points"] {
            guard case let .array(items) = points else { throw APIError.badRequest("`points` must be a list") }
            try checkCount(items.count, limit: limit)
            return try items.enumerated().map { index, item in
                let point = try JSONFields(item, context: "points[\(index)]")
                guard let id = point["id"] else { throw APIError.badRequest("points[\(index)] has no `id`") }
                guard let vector = point["vector"] else { throw APIError.badRequest("points[\(index)] has no `vector`") }
                return PointDraft(
                    id: try WireFormat.pointID(id, field: "points[\(index)].id"),
                    vector: try singleVector(vector, field: "points[\(index)].vector"),
                    payload: try payload(point["payload"], field: "points[\(index)].payload"))
            }
        }
        if let batch = try body.object("batch") {
            let ids = try WireFormat.pointIDs(batch["ids"], field: "batch.ids")
            try checkCount(ids.count, limit: limit)
            var vectorValues = batch["vectors"]
            if case let .object(named)? = vectorValues, named.count == 1, VectorSource.document(in: named) == nil {
                vectorValues = named.values.first
            }
            guard case let .array(vectors)? = vectorValues, vectors.count == ids.count else {
                throw APIError.badRequest("`batch.vectors` must be a list with one vector per id")
            }
            var payloads: [JSONValue]? = nil
            if let values = batch["payloads"] {
                guard case let .array(list) = values, list.count == ids.count else {
                    throw APIError.badRequest("`batch.payloads` must be a list with one payload per id")
                }
                payloads = list
            }
            return try ids.indices.map { index in
                PointDraft(id: ids[index],
                           vector: try singleVector(vectors[index], field: "batch.vectors[\(index)]"),
                           payload: try payload(payloads?[index], field: "batch.payloads[\(index)]"))
            }
        }
        throw APIError.badRequest("the body needs `points` (a list) or `batch`")
    }

    static func checkCount(_ count: Int, limit: Int) throws {
        guard count <= limit else {
            throw APIError.badRequest("\(count) points in one request; the maximum is \(limit): split the upsert into batches")
        }
    }

    /// A dense vector or an inference object, either bare or as the only entry of a
    /// named-vector map.
    static func singleVector(_ value: JSONValue, field: String) throws -> VectorSource {
        if case let .object(named) = value {
            if let document = VectorSource.document(in: named) { return .document(text: document.text, model: document.model) }
            guard named.count == 1, let only = named.first else {
                throw APIError.badRequest("`\(field)` names several vectors; collections here hold one vector per point")
            }
            return try singleVector(only.value, field: "\(field).\(only.key)")
        }
        if case let .string(text) = value {
            // Plain text: embedded with the collection's bound model (checked when resolved).
            return .document(text: text, model: "")
        }
        return .dense(try WireFormat.vector(value, field: field))
    }

    static func payload(_ value: JSONValue?, field: String) throws -> JSONValue {
        switch value {
        case nil, .null?: return .object([:])
        case let .object(fields)?: return .object(fields)
        default: throw APIError.badRequest("`\(field)` must be a JSON object")
        }
    }

    /// `{"points": [ids]}` or `{"filter": {...}}` (also used by payload operations).
    static func selector(_ body: JSONFields) throws -> PointSelector {
        if let points = body["points"] { return .ids(try WireFormat.pointIDs(points, field: "points")) }
        if let filter = try body.filter() { return .filter(filter) }
        throw APIError.badRequest("select points with `points` (a list of ids) or `filter`")
    }
}
