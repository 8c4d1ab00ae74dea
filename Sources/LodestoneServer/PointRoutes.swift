import Hummingbird
import Lifecycle
import Storage

/// `/collections/{name}/points...`: upsert, retrieve, delete, payload edits, scroll, count.
struct PointRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .put, "/collections/{name}/points") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            let limit = routes.configuration.maxBatchPoints
            let drafts = try await routes.decode { try PointDecoding.upsertPoints(body, limit: limit) }
            return Self.updateResult(try await routes.upsert(drafts, into: serving, request: request), request: request)
        }
        routes.on(router, .post, "/collections/{name}/points") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            let ids = try WireFormat.pointIDs(body["ids"], field: "ids")
            try PointDecoding.checkCount(ids.count, limit: routes.configuration.maxBatchPoints)
            let selection = try ResultSelection(body, payloadDefault: true, schema: try serving.schema())
            return try await routes.search(request) { .array(try serving.retrieve(ids, withVector: selection.vector).map { selection.render($0) }) }
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
            return Self.updateResult(try await routes.write(request) { try serving.updateVectors(updates, wait: Self.waits(request)) }, request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/vectors/delete") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            guard case let .array(nameValues)? = body["vector"] else { throw APIError.badRequest("`vector` must be a list of vector names") }
            let names = try ResultSelection.keys(nameValues)
            return Self.updateResult(try await routes.write(request) { try serving.deleteVectors(names, for: try PointDecoding.selector(body), wait: Self.waits(request)) }, request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/delete") { request, context in
            let serving = try routes.collection(context)
            let selector = try PointDecoding.selector(try await routes.fields(request))
            return Self.updateResult(try await routes.write(request) { try serving.delete(selector, wait: Self.waits(request)) }, request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/payload") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            var payload = try PointDecoding.payload(body["payload"], field: "payload")
            if let key = try body.string("key") { payload = Self.nest(payload, under: key) }
            let merged = payload
            return Self.updateResult(try await routes.write(request) { try serving.setPayload(merged, for: try PointDecoding.selector(body), wait: Self.waits(request)) }, request: request)
        }
        routes.on(router, .put, "/collections/{name}/points/payload") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            let payload = try PointDecoding.payload(body["payload"], field: "payload")
            return Self.updateResult(try await routes.write(request) { try serving.overwritePayload(payload, for: try PointDecoding.selector(body), wait: Self.waits(request)) }, request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/payload/delete") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            guard case let .array(keyValues)? = body["keys"] else { throw APIError.badRequest("`keys` must be a list of payload keys") }
            let keys = try ResultSelection.keys(keyValues).map { key in
                do { return try PayloadPath(parsing: key) } catch { throw APIError.badRequest("invalid payload key `\(key)`: \(error)") }
            }
            return Self.updateResult(try await routes.write(request) { try serving.deletePayloadKeys(keys, for: try PointDecoding.selector(body), wait: Self.waits(request)) }, request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/payload/clear") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            return Self.updateResult(try await routes.write(request) { try serving.clearPayload(for: try PointDecoding.selector(body), wait: Self.waits(request)) }, request: request)
        }
        routes.on(router, .post, "/collections/{name}/points/scroll") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.optionalFields(request)
            let limit = try body.int("limit", default: 10, range: 1...routes.configuration.maxResultWindow)!
            let offset = try body["offset"].map { try WireFormat.pointID($0, field: "offset") }
            let selection = try ResultSelection(body, payloadDefault: true, schema: try serving.schema())
            if let orderJSON = body["order_by"], !orderJSON.isNull {
                // As in Qdrant: pages of an ordered scroll continue from `order_by.start_from`,
                // so there is no id offset in or out.
                guard offset == nil else {
                    throw APIError.badRequest("`offset` cannot be combined with `order_by`; page with `order_by.start_from` and a filter excluding the ids already seen")
                }
                let ordered = try serving.scroll(orderedBy: try OrderBy(json: orderJSON), limit: limit, filter: try body.filter(),
                                                 withVector: selection.vector)
                return [
                    "points": .array(ordered.map { entry in
                        guard case var .object(rendered) = selection.render(entry.point) else { return selection.render(entry.point) }
                        rendered["order_value"] = entry.orderValue.json
                        return .object(rendered)
                    }),
                    "next_page_offset": .null,
                ]
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
            let count = try await routes.search(request) { try serving.count(filter: filter) }
            return ["count": .int(Int64(count))]
        }
    }

    /// Qdrant's UpdateResult: `acknowledged` once durable, `completed` (with `wait=true`) once
    /// searches see it.
    static func updateResult(_ sequence: UInt64, request: Request) -> JSONValue {
        ["operation_id": .int(Int64(sequence)), "status": waits(request) ? "completed" : "acknowledged"]
    }

    /// Qdrant's `wait` query parameter; false unless given.
    static func waits(_ request: Request) -> Bool {
        guard let value = request.uri.queryParameters.get("wait") else { return false }
        return value == "true" || value == "1"
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
