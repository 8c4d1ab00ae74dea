import Storage

/// One nearest-neighbour query against a serving collection.
public struct SearchRequest: Sendable {
    public var vector: [Float]
    public var limit: Int
    public var offset: Int
    public var filter: Filter?
    /// Beam width; nil uses the collection's configured ef.
    public var ef: Int?
    /// Scan every (matching) vector instead of walking the graph.
    public var exact: Bool
    public var scoreThreshold: Float?
    /// How a collection with quantized codes is searched; nil takes Qdrant's defaults.
    public var quantization: QuantizationParameters?
    public var withPayload: Bool
    public var withVector: Bool
    /// The text the vector was embedded from, for the query log (nil for vector queries).
    public var text: String?
    /// Who asked (a client key header), for sticky canary routing.
    public var clientKey: String?

    public init(
        vector: [Float], limit: Int = 10, offset: Int = 0, filter: Filter? = nil, ef: Int? = nil,
        exact: Bool = false, scoreThreshold: Float? = nil, withPayload: Bool = true, withVector: Bool = false
    ) {
        self.vector = vector
        self.limit = limit
        self.offset = offset
        self.filter = filter
        self.ef = ef
        self.exact = exact
        self.scoreThreshold = scoreThreshold
        self.withPayload = withPayload
        self.withVector = withVector
    }
}

/// A search result: the stored point (payload and vector as requested) and its Qdrant score.
public struct SearchHit: Sendable {
    public var point: Point
    public var score: Float
}

/// How a query was answered, for logs, metrics and tests.
public enum SearchPlan: String, Sendable {
    case graph
    case filteredGraph = "filtered_graph"
    case quantizedGraph = "quantized_graph"
    case exactScan = "exact_scan"
    case exactCandidates = "exact_candidates"
    /// Prefetched candidates fused, re-scored or diversified by the planner.
    case prefetch
}
