import Storage

/// A Qdrant universal query against a serving collection: the query tree, the page, and what
/// to return with each point.
public struct QueryRequest: Sendable {
    public var root: QueryNode
    public var offset: Int
    public var withPayload: Bool
    public var withVector: Bool
    /// The text the root's vector was embedded from, for the query log.
    public var text: String?
    public var clientKey: String?

    public init(root: QueryNode, offset: Int = 0, withPayload: Bool = true, withVector: Bool = false) {
        self.root = root
        self.offset = offset
        self.withPayload = withPayload
        self.withVector = withVector
    }
}

extension ServingCollection {
    /// Answers a query: a plain search of the primary vector takes the rollout path (canary,
    /// shadow, query log); anything else goes through the planner on the serving build's
    /// indexes, all from one snapshot of them.
    public func query(_ request: QueryRequest) throws -> (hits: [SearchHit], plan: SearchPlan) {
        let root = request.root
        guard request.offset >= 0, root.limit >= 0 else { throw LifecycleError.invalidRequest("limit and offset must not be negative") }
        let window = root.limit + request.offset
        guard window <= Self.maximumResultWindow else {
            throw LifecycleError.limitTooLarge(limit: window, maximum: Self.maximumResultWindow)
        }
        try Self.validate(root)
        if root.isPlainPrimarySearch, case let .nearest(.dense(vector)) = root.query {
            guard vectorLayout.hasDenseVector else {
                throw LifecycleError.unknownVector(name: vectorLayout.primaryVectorName, known: vectorLayout.vectorNames)
            }
            var search = SearchRequest(vector: vector, limit: root.limit, offset: request.offset, filter: root.filter, ef: root.ef,
                                       exact: root.exact, scoreThreshold: root.scoreThreshold, withPayload: request.withPayload,
                                       withVector: request.withVector)
            search.quantization = root.quantization
            search.text = request.text
            search.clientKey = request.clientKey
            return try self.search(search)
        }
        var widened = root
        widened.limit = window
        let indexes = self.indexes
        let ranked = try store.withFilterScope { scope in
            try QueryPlanner(indexes: indexes, schema: vectorLayout, filters: scope).run(widened)
        }
        let page = Array(ranked.dropFirst(request.offset))
        let points = try store.points(internalIDs: page.map(\.id), withVector: request.withVector, withPayload: request.withPayload)
        var hits: [SearchHit] = []
        hits.reserveCapacity(page.count)
        for (scored, point) in zip(page, points) {
            // A point deleted between the index walk and the read is simply left out.
            guard let point else { continue }
            hits.append(SearchHit(point: point, score: scored.score))
        }
        return (hits, root.prefetch.isEmpty ? .graph : .prefetch)
    }

    /// Limits every node of the tree must respect, checked before any index is searched.
    static func validate(_ node: QueryNode, depth: Int = 0) throws {
        guard depth <= 8 else { throw LifecycleError.invalidRequest("prefetch is nested deeper than 8 levels") }
        guard node.limit >= 0, node.limit <= maximumResultWindow else {
            throw LifecycleError.limitTooLarge(limit: node.limit, maximum: maximumResultWindow)
        }
        if let ef = node.ef, !(1 ... 100_000).contains(ef) {
            throw LifecycleError.invalidRequest("hnsw_ef must be between 1 and 100000, got \(ef)")
        }
        switch node.query {
        case let .nearest(.dense(vector)), let .mmr(vector, _, _):
            guard vector.allSatisfy(\.isFinite) else { throw LifecycleError.invalidRequest("query vector contains NaN or infinite values") }
        case .nearest(.sparse), .nearest(.bm25), .fusion: break
        }
        if case let .mmr(_, _, candidates?) = node.query, !(1 ... maximumResultWindow).contains(candidates) {
            throw LifecycleError.invalidRequest("`mmr.candidates_limit` must be between 1 and \(maximumResultWindow), got \(candidates)")
        }
        for child in node.prefetch { try validate(child, depth: depth + 1) }
    }
}
