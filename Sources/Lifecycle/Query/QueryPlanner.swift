import Storage
import VectorIndex

/// Turns a Qdrant query tree into calls on one build's indexes: each prefetch is a plain
/// search (or, nested, its own fusion or re-score), then the node's query fuses, re-scores or
/// diversifies the candidates. A filter on a node also holds for everything below it, as in
/// Qdrant, so prefetches never bring back points the outer filter excludes.
struct QueryPlanner {
    let indexes: BuildIndexes
    let schema: CollectionSchema
    /// Plans and checks the filters in one read of the store; a prefetch sharing its parent's
    /// filter reuses the parent's plan.
    let filters: FilterScope

    /// A sparse walk checks its filter per posting, so listing the matches pays off longer
    /// than for a graph walk.
    static let sparseExactLimit = 20_000

    /// The node's answer, best first, at most `node.limit` (callers add their offset to it).
    func run(_ node: QueryNode, inherited: Filter? = nil) throws -> [ScoredID] {
        let filter = Self.combine(inherited, node.filter)
        let (name, field) = try resolve(node.using)
        var results: [ScoredID]
        if node.prefetch.isEmpty {
            results = try runLeaf(node, field: field, name: name, filter: filter)
        } else {
            let lists = try node.prefetch.map { try run($0, inherited: filter) }
            results = try combine(lists, node: node, field: field, name: name)
        }
        if let threshold = node.scoreThreshold {
            let higher = node.query.isFusion || field.higherIsBetter
            results.removeAll { higher ? $0.score < threshold : $0.score > threshold }
        }
        return Array(results.prefix(node.limit))
    }

    private func runLeaf(_ node: QueryNode, field: any FieldIndex, name: String, filter: Filter?) throws -> [ScoredID] {
        let candidates = try filter.map { CandidateSet(try filters.access($0, exactLimit: exactLimit(name))) }
        switch node.query {
        case let .nearest(vector):
            return try field.search(vector, FieldSearch(k: node.limit, ef: node.ef, exact: node.exact, candidates: candidates,
                                                        quantization: node.quantization))
        case .fusion:
            throw LifecycleError.invalidRequest("a fusion query needs `prefetch` lists to fuse")
        case let .mmr(vector, diversity, candidatesLimit):
            let pool = try field.search(.dense(vector), FieldSearch(k: max(candidatesLimit ?? node.limit, node.limit), ef: node.ef,
                                                                     exact: node.exact, candidates: candidates, quantization: node.quantization))
            return try diversify(pool.map(\.id), vector: vector, diversity: diversity, limit: node.limit, field: field, name: name)
        }
    }

    private func combine(_ lists: [[ScoredID]], node: QueryNode, field: any FieldIndex, name: String) throws -> [ScoredID] {
        switch node.query {
        case let .fusion(fusion):
            return ScoreFusion.fuse(lists, fusion)
        case let .nearest(vector):
            let ids = Self.union(lists)
            let scores = try field.scores(vector, ids: ids)
            var rescored = zip(ids, scores).compactMap { id, score in score.map { ScoredID(id: id, score: $0) } }
            let higher = field.higherIsBetter
            rescored.sort { left, right in
                left.score != right.score ? (higher ? left.score > right.score : left.score < right.score) : left.id < right.id
            }
            return rescored
        case let .mmr(vector, diversity, _):
            return try diversify(Self.union(lists), vector: vector, diversity: diversity, limit: node.limit, field: field, name: name)
        }
    }

    private func diversify(_ ids: [UInt32], vector: [Float], diversity: Float, limit: Int, field: any FieldIndex, name: String) throws -> [ScoredID] {
        guard let dense = field as? DenseFieldIndex else {
            throw LifecycleError.invalidRequest("MMR needs a dense vector; `\(name)` is \(field.kind)")
        }
        guard (0 ... 1).contains(diversity) else {
            throw LifecycleError.invalidRequest("`mmr.diversity` must be between 0 and 1, got \(diversity)")
        }
        let scores = try field.scores(.dense(vector), ids: ids)
        var candidates: [(id: UInt32, vector: [Float])] = []
        var relevance: [Float] = []
        for (id, score) in zip(ids, scores) {
            guard let score, let stored = dense.denseVector(id: id) else { continue }
            candidates.append((id, stored))
            // Euclid scores are distances; MMR maximises, so it sees them negated.
            relevance.append(dense.higherIsBetter ? score : -score)
        }
        let chosen = MaximalMarginalRelevance.select(query: vector, candidates: candidates, metric: dense.index.metric,
                                                     lambda: 1 - diversity, limit: limit, relevance: relevance)
        return dense.higherIsBetter ? chosen : chosen.map { ScoredID(id: $0.id, score: -$0.score) }
    }

    /// The most matches of a filter answered by an exact scan of them for this vector.
    func exactLimit(_ name: String) -> Int {
        guard let dense = schema.dense(name) else { return Self.sparseExactLimit }
        return DenseFieldIndex.exactLimit(dense.hnsw, dimension: dense.dimension, liveCount: indexes.field(name)?.liveCount ?? 0)
    }

    /// The vector name and its index; an unknown name is an error that lists the known ones.
    func resolve(_ using: String?) throws -> (String, any FieldIndex) {
        let name = using ?? indexes.primaryName
        guard schema.dense(name) != nil || schema.sparseVectors[name] != nil, let field = indexes.field(name) else {
            throw LifecycleError.unknownVector(name: name, known: schema.vectorNames)
        }
        return (name, field)
    }

    /// Every id of the lists, each once, in order of first appearance.
    static func union(_ lists: [[ScoredID]]) -> [UInt32] {
        var seen = Set<UInt32>()
        return lists.flatMap { $0.map(\.id) }.filter { seen.insert($0).inserted }
    }

    static func combine(_ outer: Filter?, _ inner: Filter?) -> Filter? {
        switch (outer, inner) {
        case (nil, let only), (let only, nil): return only
        case let (outer?, inner?): return Filter(must: [.filter(outer), .filter(inner)])
        }
    }
}

extension QueryExpression {
    var isFusion: Bool { if case .fusion = self { true } else { false } }
}
