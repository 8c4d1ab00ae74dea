import Storage

/// How the candidates of several prefetches are combined.
public enum Fusion: Sendable, Hashable {
    /// Reciprocal rank fusion: each list adds 1 / (k + position), position from 0.
    case rrf(k: Int)
    /// Distribution-based score fusion: each list's scores mapped through mean ± 3 sample
    /// standard deviations to about [0, 1], then summed.
    case dbsf
}

/// What a query node asks of its vector (or of its prefetches' candidates).
public enum QueryExpression: Sendable, Hashable {
    /// Nearest points to a vector; with prefetches, the candidates re-scored by it.
    case nearest(QueryVector)
    case fusion(Fusion)
    /// Maximal marginal relevance over the nearest `candidatesLimit` points (or the
    /// prefetched candidates): lambda = 1 - diversity.
    case mmr(vector: [Float], diversity: Float, candidatesLimit: Int?)
}

/// One node of a Qdrant query: its own query over the candidates its prefetches return (or
/// over the whole collection when it has none).
public struct QueryNode: Sendable {
    public var prefetch: [QueryNode]
    public var query: QueryExpression
    /// The vector name searched or scored; nil is the primary vector.
    public var using: String?
    public var filter: Filter?
    public var limit: Int
    public var ef: Int?
    public var exact: Bool
    public var scoreThreshold: Float?
    /// How a collection with quantized codes is searched; nil takes Qdrant's defaults.
    public var quantization: QuantizationParameters?

    public init(prefetch: [QueryNode] = [], query: QueryExpression, using: String? = nil, filter: Filter? = nil, limit: Int = 10,
                ef: Int? = nil, exact: Bool = false, scoreThreshold: Float? = nil, quantization: QuantizationParameters? = nil) {
        self.quantization = quantization
        self.prefetch = prefetch
        self.query = query
        self.using = using
        self.filter = filter
        self.limit = limit
        self.ef = ef
        self.exact = exact
        self.scoreThreshold = scoreThreshold
    }

    /// Whether any node below uses a fusion, MMR or another vector than the primary one: such
    /// queries go through the planner, plain primary searches through the rollout path.
    var isPlainPrimarySearch: Bool {
        guard prefetch.isEmpty, using == nil, case let .nearest(vector) = query, case .dense = vector else { return false }
        return true
    }
}
