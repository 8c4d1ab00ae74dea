import Lifecycle
import Storage

/// Decoding of the point bodies of upserts and vector updates.
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
                    vectors: try DraftVectors.decode(vector, field: "points[\(index)].vector"),
                    payload: try payload(point["payload"], field: "points[\(index)].payload"))
            }
        }
        if let batch = try body.object("batch") {
            let ids = try WireFormat.pointIDs(batch["ids"], field: "batch.ids")
            try checkCount(ids.count, limit: limit)
            let vectors = try batchVectors(batch["vectors"], count: ids.count)
            var payloads: [JSONValue]? = nil
            if let values = batch["payloads"] {
                guard case let .array(list) = values, list.count == ids.count else {
                    throw APIError.badRequest("`batch.payloads` must be a list with one payload per id")
                }
                payloads = list
            }
            return try ids.indices.map { index in
                PointDraft(id: ids[index], vectors: vectors[index],
                           payload: try payload(payloads?[index], field: "batch.payloads[\(index)]"))
            }
        }
        throw APIError.badRequest("the body needs `points` (a list) or `batch`")
    }

    /// `batch.vectors`: a list with one vector per id, or a map of vector names to such lists.
    private static func batchVectors(_ value: JSONValue?, count: Int) throws -> [DraftVectors] {
        switch value {
        case let .array(items)? where items.count == count:
            return try items.indices.map { DraftVectors(unnamed: try VectorSource.decode(items[$0], field: "batch.vectors[\($0)]")) }
        case let .object(named)? where VectorSource.document(in: named) == nil:
            var drafts = [DraftVectors](repeating: DraftVectors(), count: count)
            for (name, column) in named {
                guard case let .array(items) = column, items.count == count else {
                    throw APIError.badRequest("`batch.vectors.\(name)` must be a list with one vector per id")
                }
                for index in items.indices {
                    drafts[index].named[name] = try VectorSource.decode(items[index], field: "batch.vectors.\(name)[\(index)]")
                }
            }
            return drafts
        default:
            throw APIError.badRequest("`batch.vectors` must be a list with one vector per id, or a map of vector names to such lists")
        }
    }

    /// `PUT .../points/vectors`: `{"points": [{"id", "vector": {...}}]}`.
    static func vectorUpdates(_ body: JSONFields, limit: Int) throws -> [PointDraft] {
        guard case let .array(items)? = body["points"] else { throw APIError.badRequest("`points` must be a list of {id, vector}") }
        try checkCount(items.count, limit: limit)
        return try items.enumerated().map { index, item in
            let point = try JSONFields(item, context: "points[\(index)]")
            guard let id = point["id"], let vector = point["vector"] else {
                throw APIError.badRequest("points[\(index)] needs `id` and `vector`")
            }
            return PointDraft(id: try WireFormat.pointID(id, field: "points[\(index)].id"),
                              vectors: try DraftVectors.decode(vector, field: "points[\(index)].vector"), payload: .object([:]))
        }
    }

    static func checkCount(_ count: Int, limit: Int) throws {
        guard count <= limit else {
            throw APIError.badRequest("\(count) points in one request; the maximum is \(limit): split the upsert into batches")
        }
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
