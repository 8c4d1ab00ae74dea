import HTTPTypes
import Hummingbird
import Lifecycle
import Storage

/// Nearest-neighbour search: Qdrant's universal `points/query` (and its batch) and the older
/// `points/search` (and its batch) that clients before 1.16 call.
struct SearchRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .post, "/collections/{name}/points/query") { request, context in
            let serving = try routes.collection(context)
            return try await query(serving, try await routes.fields(request), defaultPayload: true, client: Self.client(request))
        }
        routes.on(router, .post, "/collections/{name}/points/query/batch") { request, context in
            let serving = try routes.collection(context)
            let searches = try batch(try await routes.fields(request))
            var results: [JSONValue] = []
            for search in searches { results.append(try await query(serving, search, defaultPayload: false, client: Self.client(request))) }
            return .array(results)
        }
        routes.on(router, .post, "/collections/{name}/points/search") { request, context in
            let serving = try routes.collection(context)
            return try legacySearch(serving, try await routes.fields(request))
        }
        routes.on(router, .post, "/collections/{name}/points/search/batch") { request, context in
            let serving = try routes.collection(context)
            let searches = try batch(try await routes.fields(request))
            return .array(try searches.map { try legacySearch(serving, $0) })
        }
    }

    private func batch(_ body: JSONFields) throws -> [JSONFields] {
        guard case let .array(items)? = body["searches"] else { throw APIError.badRequest("`searches` must be a list of requests") }
        guard items.count <= 1_000 else { throw APIError.badRequest("\(items.count) searches in one batch; the maximum is 1000") }
        return try items.enumerated().map { try JSONFields($1, context: "searches[\($0)]") }
    }

    /// `POST .../points/query`: `query` is a vector, a point id, or `{"nearest": either}`.
    /// The header that makes canary routing sticky per client.
    static let clientHeader = HTTPField.Name("x-lodestone-client")!

    static func client(_ request: Request) -> String? { request.headers[clientHeader] }

    private func query(_ serving: ServingCollection, _ body: JSONFields, defaultPayload: Bool, client: String?) async throws -> JSONValue {
        if body["prefetch"] != nil {
            throw APIError.badRequest("`prefetch` (hybrid queries) is not supported yet; send a single dense `query`")
        }
        let selection = try ResultSelection(body, payloadDefault: defaultPayload)
        let limit = try body.int("limit", default: 10, range: 0...routes.configuration.maxResultWindow)!
        let offset = try body.int("offset", default: 0, range: 0...routes.configuration.maxResultWindow)!
        guard var query = body["query"] else {
            // No query: points in id order, as Qdrant does; a score is still required by clients.
            let page = try serving.store.scroll(from: nil, limit: limit + offset, filter: try body.filter(), withVector: selection.vector)
            return ["points": .array(page.points.dropFirst(offset).map { selection.render($0, score: 0) })]
        }
        if case let .object(wrapper) = query {
            if let nearest = wrapper["nearest"] {
                if wrapper["mmr"] != nil { throw APIError.badRequest("`mmr` re-ranking is not supported yet") }
                query = nearest
            } else if VectorSource.document(in: wrapper) == nil {
                let kind = wrapper.keys.sorted().joined(separator: ", ")
                throw APIError.badRequest("query kind `\(kind)` is not supported; use a vector, a point id or {\"nearest\": ...}")
            }
        }
        let vector: [Float]
        var text: String?
        if case let .object(fields) = query, let document = VectorSource.document(in: fields) {
            vector = try await routes.embedQuery(text: document.text, model: document.model, for: serving)
            text = document.text
        } else if case let .string(plain) = query, PointID(uuidString: plain) == nil, UInt64(plain) == nil {
            vector = try await routes.embedQuery(text: plain, model: "", for: serving)
            text = plain
        } else {
            vector = try queryVector(query, serving: serving)
        }
        var request = try searchRequest(body, vector: vector, limit: limit, offset: offset, selection: selection)
        request.text = text
        request.clientKey = client
        let hits = try timedSearch(serving, request)
        return ["points": .array(hits.map { selection.render($0.point, score: $0.score) })]
    }

    /// `POST .../points/search`: `vector` is a list or `{"name": ..., "vector": [...]}`.
    private func legacySearch(_ serving: ServingCollection, _ body: JSONFields) throws -> JSONValue {
        guard var vectorValue = body["vector"] else { throw APIError.badRequest("missing `vector`") }
        if case let .object(named) = vectorValue {
            guard let inner = named["vector"] else { throw APIError.badRequest("a named `vector` needs `name` and `vector`") }
            vectorValue = inner
        }
        let selection = try ResultSelection(body, payloadDefault: false)
        let limit = try body.int("limit", default: nil, range: 0...routes.configuration.maxResultWindow)
            ?? body.int("top", default: 10, range: 0...routes.configuration.maxResultWindow)!
        let offset = try body.int("offset", default: 0, range: 0...routes.configuration.maxResultWindow)!
        let vector = try WireFormat.vector(vectorValue, field: "vector")
        let request = try searchRequest(body, vector: vector, limit: limit, offset: offset, selection: selection)
        return .array(try timedSearch(serving, request).map { selection.render($0.point, score: $0.score) })
    }

    private func timedSearch(_ serving: ServingCollection, _ request: SearchRequest) throws -> [SearchHit] {
        let start = ContinuousClock.now
        let (hits, plan) = try serving.search(request)
        routes.metrics?.recordSearch(collection: serving.name, plan: plan, duration: ContinuousClock.now - start)
        return hits
    }

    private func queryVector(_ value: JSONValue, serving: ServingCollection) throws -> [Float] {
        switch value {
        case .array:
            return try WireFormat.vector(value, field: "query")
        case .int, .string:
            let id = try WireFormat.pointID(value, field: "query")
            guard let point = try serving.store.get(ids: [id], withVector: true).first, let vector = point.vector else {
                throw APIError.notFound("No point with id \(id) found")
            }
            return vector
        default:
            throw APIError.badRequest("`query` must be a vector (list of numbers), a point id, or {\"nearest\": ...}")
        }
    }

    private func searchRequest(_ body: JSONFields, vector: [Float], limit: Int, offset: Int, selection: ResultSelection) throws -> SearchRequest {
        let params = try body.object("params")
        guard limit + offset <= routes.configuration.maxResultWindow else {
            throw APIError.badRequest("limit + offset is \(limit + offset); the maximum is \(routes.configuration.maxResultWindow)")
        }
        return SearchRequest(
            vector: vector, limit: limit, offset: offset, filter: try body.filter(),
            ef: try params?.int("hnsw_ef", range: 1...100_000), exact: try params?.bool("exact", default: false) ?? false,
            scoreThreshold: try body.double("score_threshold").map(Float.init),
            withPayload: selection.wantsPayload, withVector: selection.vector)
    }
}
