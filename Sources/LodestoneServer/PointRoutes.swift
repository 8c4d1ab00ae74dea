import Hummingbird
import Lifecycle
import Storage

/// `/collections/{name}/points...`: upsert, retrieve, delete, payload edits, scroll, count.
struct PointRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .put, "/collections/{name}/points") { request, context in
            let serving = try routes.collection(context)
            let drafts = try PointDecoding.upsertPoints(try await routes.fields(request), limit: routes.configuration.maxBatchPoints)
            return Self.updateResult(try await routes.upsert(drafts, into: serving), request: request)
        }
        routes.on(router, .post, "/collections/{name}/points") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            let ids = try WireFormat.pointIDs(body["ids"], field: "ids")
            try PointDecoding.checkCount(ids.count, limit: routes.configuration.maxBatchPoints)
            let selection = try ResultSelection(body, payloadDefault: true, schema: try serving.schema())
            return .array(try serving.retrieve(ids, withVector: selection.vector).map { selection.render($0) })
        }
        routes.on(router, .get, "/collections/{name}/points/{id}") { _, context in
            let serving = try routes.collection(context)
            let id = try WireFormat.pointID(.string(try context.parameters.require("id")))
            guard let point = try serving.retrieve([id], withVector: true).first else {
                throw APIError.notFound("No point with id \(id) found")
            }
            return ResultSelectionAll.render(point, primaryName: try serving.schema().vectorName)
        }
        routes.on(router, .put, "/collections/{name}/points/vectors") { request, context in
            let serving = try routes.collection(context)
            let drafts = try PointDecoding.vectorUpdates(try await routes.fields(request), limit: routes.configuration.maxBatchPoints)
            let updates = try await routes.resolveUpdates(drafts, for: serving)
            return Self.updateResult(try serving.updateVectors(updates), request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/vectors/delete") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            guard case let .array(nameValues)? = body["vector"] else { throw APIError.badRequest("`vector` must be a list of vector names") }
            let names = try ResultSelection.keys(nameValues)
            return Self.updateResult(try serving.deleteVectors(names, for: try PointDecoding.selector(body)), request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/delete") { request, context in
            let serving = try routes.collection(context)
            let selector = try PointDecoding.selector(try await routes.fields(request))
            return Self.updateResult(try serving.delete(selector), request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/payload") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            var payload = try PointDecoding.payload(body["payload"], field: "payload")
            if let key = try body.string("key") { payload = Self.nest(payload, under: key) }
            return Self.updateResult(try serving.setPayload(payload, for: try PointDecoding.selector(body)), request: request)
        }
        routes.on(router, .put, "/collections/{name}/points/payload") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            let payload = try PointDecoding.payload(body["payload"], field: "payload")
            return Self.updateResult(try serving.overwritePayload(payload, for: try PointDecoding.selector(body)), request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/payload/delete") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            guard case let .array(keyValues)? = body["keys"] else { throw APIError.badRequest("`keys` must be a list of payload keys") }
            let keys = try ResultSelection.keys(keyValues).map { key in
                do { return try PayloadPath(parsing: key) } catch { throw APIError.badRequest("invalid payload key `\(key)`: \(error)") }
            }
            return Self.updateResult(try serving.deletePayloadKeys(keys, for: try PointDecoding.selector(body)), request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/payload/clear") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            return Self.updateResult(try serving.clearPayload(for: try PointDecoding.selector(body)), request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/scroll") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.optionalFields(request)
            let limit = try body.int("limit", default: 10, range: 1...routes.configuration.maxResultWindow)!
            let offset = try body["offset"].map { try WireFormat.pointID($0, field: "offset") }
            let selection = try ResultSelection(body, payloadDefault: true, schema: try serving.schema())
            if body["order_by"] != nil {
                throw APIError.badRequest("scroll `order_by` is not supported yet; scroll pages come in point id order")
            }
            let page = try serving.scroll(from: offset, limit: limit, filter: try body.filter(), withVector: selection.vector)
            return [
                "points": .array(page.points.map { selection.render($0) }),
                "next_page_offset": page.nextOffset.map(WireFormat.json) ?? .null,
            ]
        }
        routes.on(router, .post, "/collections/{name}/points/count") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.optionalFields(request)
            let filter = try body.filter()
            let count = try serving.count(filter: filter)
            return ["count": .int(Int64(count))]
        }
    }

    /// Qdrant's UpdateResult: `completed` once applied (always, here: writes are synchronous).
    static func updateResult(_ sequence: UInt64, request: Request) -> JSONValue {
        let wait = request.uri.queryParameters.get("wait") ?? "false"
        return ["operation_id": .int(Int64(sequence)), "status": wait == "false" ? "acknowledged" : "completed"]
    }

    /// `set_payload` with `key`: the new values are merged under that (dotted) path.
    static func nest(_ payload: JSONValue, under key: String) -> JSONValue {
        key.split(separator: ".").reversed().reduce(payload) { inner, part in .object([String(part): inner]) }
    }
}

/// Rendering for GET one point: payload and vector always included, as Qdrant does.
enum ResultSelectionAll {
    static func render(_ point: Point, primaryName: String?) -> JSONValue {
        var object: [String: JSONValue] = ["id": WireFormat.json(point.id), "payload": .object(point.payload)]
        if let vectors = VectorRendering.vectors(of: point, primaryName: primaryName) { object["vector"] = vectors }
        return .object(object)
    }
}
