import Foundation

/// What one search did, for tests and benchmarks that check the pruning works.
public struct SparseSearchOutcome: Sendable {
    public var hits: [SparseHit]
    /// Postings whose contribution was computed.
    public var scoredPostings = 0
    /// Live postings in the query's lists: what scoring every posting would have cost.
    public var queryPostings = 0
}

extension SparseInvertedIndex {
    /// The k best live documents for `query`, best first, ties broken by smaller id.
    ///
    /// Every document that shares a dimension with the query is a candidate whatever its
    /// score (zero and negative included, as Qdrant returns them). The result is exact: the
    /// MaxScore walk skips only documents that provably cannot enter the top k. Scores equal
    /// `score(id:query:scoring:)` bit for bit.
    ///
    /// - Parameter filter: when given, only ids for which it returns true are scored or
    ///   returned. It runs under the index's read lock, so it must not call back into this index
    ///   (a waiting writer would then deadlock the two).
    public func search(_ query: SparseVector, k: Int, scoring: SparseScoring, filter: ((UInt32) -> Bool)? = nil) throws(IndexError) -> [SparseHit] {
        try searchMeasuringWork(query, k: k, scoring: scoring, filter: filter).hits
    }

    /// The score `search` would give the live document `id` (0 if it shares no dimension with
    /// the query), or nil if `id` is not live; for rescoring candidates found elsewhere.
    public func score(id: UInt32, query: SparseVector, scoring: SparseScoring) throws(IndexError) -> Float? {
        try scoring.validate()
        return state.read { state in
            guard let document = state.documents[id] else { return nil }
            let plan = QueryPlan(query, scoring: scoring, state: state)
            switch plan.model {
            case let .linear(model): return plan.canonicalScore(document, model)
            case let .bm25(model): return plan.canonicalScore(document, model)
            }
        }
    }

    /// `search` with how much work it did, for tests and benchmarks of the pruning.
    public func searchMeasuringWork(_ query: SparseVector, k: Int, scoring: SparseScoring, filter: ((UInt32) -> Bool)? = nil) throws(IndexError) -> SparseSearchOutcome {
        try scoring.validate()
        guard k > 0, !query.isEmpty else { return SparseSearchOutcome(hits: []) }
        return state.read { state in
            let plan = QueryPlan(query, scoring: scoring, state: state)
            switch plan.model {
            case let .linear(model): return plan.search(model, k: k, state: state, filter: filter)
            case let .bm25(model): return plan.search(model, k: k, state: state, filter: filter)
            }
        }
    }
}

/// How a posting's value and its document's length become a contribution, given the query
/// term's weight, and the most any posting of a list can contribute. Generic so the scoring
/// loop is specialised per model rather than switching per posting.
protocol TermContribution {
    func contribution(weight: Float, value: Float, length: Float) -> Float
    /// An upper bound of the term's contribution to any document, at least 0 because a
    /// document missing from the list gets 0 from it.
    func upperBound(weight: Float, list: PostingList) -> Float
}

/// `.dot` and `.idf`: weight × value, the weight already holding any IDF factor. The largest
/// product comes from the largest value for a positive weight and the smallest for a negative one.
struct LinearContribution: TermContribution {
    @inline(__always) func contribution(weight: Float, value: Float, length: Float) -> Float { weight * value }

    func upperBound(weight: Float, list: PostingList) -> Float {
        max(0, weight >= 0 ? weight * list.maxValue : weight * list.minValue)
    }
}

/// BM25 with the weight holding q · idf · (k1 + 1): weight · tf / (tf + constant + perLength · length).
/// The fraction rises with tf and falls with length, so the list's largest frequency over its
/// shortest document bounds every posting; a negative weight makes every contribution ≤ 0.
struct BM25Contribution: TermContribution {
    /// k1 · (1 − b).
    let constant: Float
    /// k1 · b / average length.
    let perLength: Float

    @inline(__always) func contribution(weight: Float, value: Float, length: Float) -> Float {
        value > 0 ? weight * value / (value + constant + perLength * length) : 0
    }

    func upperBound(weight: Float, list: PostingList) -> Float {
        guard weight > 0, list.maxValue > 0 else { return 0 }
        return contribution(weight: weight, value: list.maxValue, length: list.minLength)
    }
}

/// The query with the index's live statistics applied: one weight per query dimension that
/// has live postings, dimensions ascending.
struct QueryPlan {
    enum Model {
        case linear(LinearContribution)
        case bm25(BM25Contribution)
    }

    var dimensions: [UInt32] = []
    var weights: [Float] = []
    var lists: [PostingList] = []
    let model: Model

    init(_ query: SparseVector, scoring: SparseScoring, state: SparseIndexState) {
        let documentCount = state.documents.count
        var scale: Float = 1
        switch scoring {
        case .dot, .idf:
            model = .linear(LinearContribution())
        case let .bm25(k1, b, averageLength):
            // With no usable average every document is average: length then drops out.
            let average = averageLength ?? state.averageLength
            let perLength = average > 0 ? k1 * b / average : 0
            model = .bm25(BM25Contribution(constant: average > 0 ? k1 * (1 - b) : k1, perLength: perLength))
            scale = k1 + 1
        }
        for (dimension, value) in zip(query.indices, query.values) {
            guard let list = state.postings[dimension], list.liveCount > 0 else { continue }
            var weight = value * scale
            if scoring != .dot { weight *= Self.inverseDocumentFrequency(documents: documentCount, holding: list.liveCount) }
            dimensions.append(dimension)
            weights.append(weight)
            lists.append(list)
        }
    }

    /// Qdrant's (and Lucene's) idf: always positive, so it never flips a contribution's sign.
    static func inverseDocumentFrequency(documents: Int, holding: Int) -> Float {
        Float(log((Double(documents - holding) + 0.5) / (Double(holding) + 0.5) + 1))
    }

    /// The score summed in dimension order, so it does not depend on how a search pruned.
    func canonicalScore<Model: TermContribution>(_ document: StoredDocument, _ model: Model) -> Float {
        var score: Float = 0
        var term = 0
        var entry = 0
        let indices = document.vector.indices
        while term < dimensions.count, entry < indices.count {
            if dimensions[term] == indices[entry] {
                score += model.contribution(weight: weights[term], value: document.vector.values[entry], length: document.length)
                term += 1
                entry += 1
            } else if dimensions[term] < indices[entry] {
                term += 1
            } else {
                entry += 1
            }
        }
        return score
    }
}
