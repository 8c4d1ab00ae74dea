import HTTPTypes
import Hummingbird
import Lifecycle
import Storage
import VectorIndex

/// Nearest-neighbour search: Qdrant's universal `points/query` (and its batch) and the older
/// `points/search` (and its batch) that clients before 1.16 call.
struct SearchRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .post, "/collections/{name}/points/query") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            try budget.check([body], defaultEf: serving.hnswParameters.ef, points: serving.liveCount)
            return try await query(serving, body, defaultPayload: true, http: request)
        }
        routes.on(router, .post, "/collections/{name}/points/query/batch") { request, context in
            let serving = try routes.collection(context)
            let searches = try batch(try await routes.fields(request), serving)
            var results: [JSONValue] = []
            for search in searches { results.append(try await query(serving, search, defaultPayload: false, http: request)) }
            return .array(results)
        }
        routes.on(router, .post, "/collections/{name}/points/query/groups") { request, context in
            let serving = try routes.collection(context)
            return try await groups(serving, try await routes.fields(request), http: request)
        }
        routes.on(router, .post, "/collections/{name}/points/search") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            return try await routes.search(request) { try legacySearch(serving, body) }
        }
        routes.on(router, .post, "/collections/{name}/points/search/batch") { request, context in
            let serving = try routes.collection(context)
            let searches = try batch(try await routes.fields(request), serving)
            return try await routes.search(request) { .array(try searches.map { try legacySearch(serving, $0) }) }
        }
    }

    private func batch(_ body: JSONFields, _ serving: ServingCollection) throws -> [JSONFields] {
        guard case let .array(items)? = body["searches"] else { throw APIError.badRequest("`searches` must be a list of requests") }
        guard items.count <= 1_000 else { throw APIError.badRequest("\(items.count) searches in one batch; the maximum is 1000") }
        let searches = try items.enumerated().map { try JSONFields($1, context: "searches[\($0)]") }
        try budget.check(searches, defaultEf: serving.hnswParameters.ef, points: serving.liveCount)
        return searches
    }

    private var budget: SearchWorkBudget {
        SearchWorkBudget(maxCandidates: routes.configuration.maxSearchCandidates, maxExactScanPoints: routes.configuration.maxExactScanPoints)
    }

    /// `POST .../points/query`: `query` is a vector, a point id, or `{"nearest": either}`.
    /// The header that makes canary routing sticky per client.
    static let clientHeader = HTTPField.Name("x-lodestone-client")!

    static func client(_ request: Request) -> String? { request.headers[clientHeader] }

    private func query(_ serving: ServingCollection, _ body: JSONFields, defaultPayload: Bool, http: Request) async throws -> JSONValue {
        let client = Self.client(http)
        let schema = try serving.schema()
        let selection = try ResultSelection(body, payloadDefault: defaultPayload, schema: schema)
        let limit = try body.int("limit", default: 10, range: 0...routes.configuration.maxResultWindow)!
        let offset = try body.int("offset", default: 0, range: 0...routes.configuration.maxResultWindow)!
        guard limit + offset <= routes.configuration.maxResultWindow else {
            throw APIError.badRequest("limit + offset is \(limit + offset); the maximum is \(routes.configuration.maxResultWindow)")
        }
        guard body["query"] != nil || body["prefetch"] != nil else {
            // No query: points in id order, as Qdrant does; a score is still required by clients.
            try body.refuseUnknown(allowed: QueryDecoding.rootKeys)
            let filter = try body.filter()
            let page = try await routes.search(http) { try serving.scroll(from: nil, limit: limit + offset, filter: filter, withVector: selection.vector) }
            return ["points": .array(page.points.dropFirst(offset).map { selection.render($0, score: 0) })]
        }
        let decoded = try await QueryDecoding(routes: routes, serving: serving, schema: schema).root(body, limit: limit)
        var request = QueryRequest(root: decoded.node, offset: offset, withPayload: selection.wantsPayload, withVector: selection.vector)
        request.text = decoded.text
        request.clientKey = client
        let start = ContinuousClock.now
        let finished = request
        let (hits, plan) = try await routes.search(http) { try serving.query(finished) }
        routes.metrics?.recordSearch(collection: serving.name, plan: plan, duration: ContinuousClock.now - start)
        return ["points": .array(hits.map { selection.render($0.point, score: $0.score) })]
    }

    /// `POST .../points/query/groups`: the query's best points grouped by `group_by`.
    private func groups(_ serving: ServingCollection, _ body: JSONFields, http: Request) async throws -> JSONValue {
        let client = Self.client(http)
        let schema = try serving.schema()
        let selection = try ResultSelection(body, payloadDefault: false, schema: schema)
        let groupBy = try body.requireString("group_by")
        let groupSize = try body.int("group_size", default: 3, range: 1 ... 1_000)!
        let limit = try body.int("limit", default: 10, range: 1 ... 1_000)!
        guard limit * groupSize <= routes.configuration.maxResultWindow else {
            throw APIError.badRequest("limit x group_size is \(limit * groupSize); the maximum is \(routes.configuration.maxResultWindow)")
        }
        guard body["query"] != nil || body["prefetch"] != nil else { throw APIError.badRequest("query groups need a `query`") }
        var fields = body.fields
        for key in ["group_by", "group_size", "with_lookup"] { fields[key] = nil }
        let decoded = try await QueryDecoding(routes: routes, serving: serving, schema: schema)
            .root(try JSONFields(.object(fields), context: body.context), limit: limit)
        var request = QueryRequest(root: decoded.node, withPayload: selection.wantsPayload, withVector: selection.vector)
        request.text = decoded.text
        request.clientKey = client
        let finished = request
        let groups = try await routes.search(http) { try serving.queryGroups(finished, groupBy: groupBy, groupSize: groupSize) }
        let lookup = try lookupRecords(body["with_lookup"], ids: groups.map(\.id))
        return ["groups": .array(groups.map { group in
            var object: [String: JSONValue] = ["id": group.id, "hits": .array(group.hits.map { selection.render($0.point, score: $0.score) })]
            if let lookup { object["lookup"] = lookup[group.id] ?? .null }
            return .object(object)
        })]
    }

    /// `with_lookup`: a collection name or `{collection, with_payload, with_vectors}`; each
    /// group's id is looked up as a point id there.
    private func lookupRecords(_ value: JSONValue?, ids: [JSONValue]) throws -> [JSONValue: JSONValue]? {
        guard let value else { return nil }
        let options: JSONFields
        if case let .string(name) = value { options = try JSONFields(["collection": .string(name)], context: "`with_lookup`") } else {
            options = try JSONFields(value, context: "`with_lookup`")
        }
        try options.refuseUnknown(allowed: ["collection", "with_payload", "with_vectors"])
        let target = try routes.lookupCollection(named: try options.requireString("collection"))
        var renamed = options.fields
        renamed["with_vector"] = renamed.removeValue(forKey: "with_vectors")
        let selection = try ResultSelection(try JSONFields(.object(renamed), context: "`with_lookup`"), payloadDefault: true, schema: try target.schema())
        var records: [JSONValue: JSONValue] = [:]
        for id in ids {
            guard let pointID = try? WireFormat.pointID(id), let point = try target.retrieve([pointID], withVector: selection.vector).first else { continue }
            records[id] = selection.render(point)
        }
        return records
    }

    /// `POST .../points/search`: `vector` is a list or `{"name": ..., "vector": [...]}`.
    private func legacySearch(_ serving: ServingCollection, _ body: JSONFields) throws -> JSONValue {
        guard var vectorValue = body["vector"] else { throw APIError.badRequest("missing `vector`") }
        let schema = try serving.schema()
        if case let .object(named) = vectorValue {
            guard let inner = named["vector"] else { throw APIError.badRequest("a named `vector` needs `name` and `vector`") }
            if let name = named["name"]?.stringValue, name != schema.primaryVectorName {
                throw APIError.badRequest("`points/search` here searches the primary vector `\(schema.primaryVectorName)`; use `points/query` with `using` for `\(name)`")
            }
            vectorValue = inner
        }
        let selection = try ResultSelection(body, payloadDefault: false, schema: schema)
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

    func searchRequest(_ body: JSONFields, vector: [Float], limit: Int, offset: Int, selection: ResultSelection) throws -> SearchRequest {
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
