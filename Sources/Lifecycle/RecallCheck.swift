import Foundation
import VectorIndex

/// Recall@k of an index's graph search against exact (BLAS) search on held-out vectors: each
/// query is a stored point's vector, with that point excluded from both answers. Two indexes
/// (a candidate and production) are measured on the same points, each with its own vector
/// for them, so the comparison holds even across embedding models.
struct RecallCheck {
    var k: Int
    var queries: Int

    /// What serves now, as compared with a candidate.
    struct Production {
        var index: HNSWIndex
        var build: Int
        var model: String?
        var ef: Int
    }

    /// Measures `candidate` and `production` on the same queries: logged ones when the log has
    /// enough from production and the candidate shares its model, else held-out points live in both.
    /// `candidateExact` is the candidate's exact answers, for measuring it again at other
    /// search settings without another scan.
    func compare(_ candidate: HNSWIndex, ef: Int, model: String?, with production: Production?, log: QueryLog?)
        throws -> (candidate: RecallReport, production: RecallReport?, queries: Queries, candidateExact: ExactAnswers) {
        let logged = production.flatMap { production in
            model == production.model ? loggedQueries(log, build: production.build, dimension: candidate.dimension) : nil
        }
        let sample: Queries = logged.map { .logged($0) } ?? .heldOut(self.sample([candidate] + (production.map { [$0.index] } ?? [])))
        let exact = try exactAnswers(candidate, on: sample)
        return (try measure(candidate, ef: ef, against: exact), try production.map { try measure($0.index, ef: $0.ef, on: sample) },
                sample, exact)
    }

    /// What the queries are: stored points (each excluded from its own answers), or logged
    /// query vectors.
    enum Queries {
        case heldOut([UInt32])
        case logged([[Float]])

        var count: Int {
            switch self {
            case let .heldOut(ids): ids.count
            case let .logged(vectors): vectors.count
            }
        }
    }

    /// Logged queries to check with, when the log holds enough from `build` (whose model the
    /// candidate shares); else nil and held-out vectors are used.
    private func loggedQueries(_ log: QueryLog?, build: Int, dimension: Int) -> [[Float]]? {
        guard let log else { return nil }
        let vectors = log.entries.filter { $0.build == build && $0.vector.count == dimension }.suffix(queries).map(\.vector)
        return vectors.count >= min(queries, 50) ? Array(vectors) : nil
    }

    /// Recall of `index` at `ef`; a graph holding codes is walked on them with `quantization`
    /// (by default as a query that names none is served).
    func measure(_ index: HNSWIndex, ef: Int, on queries: Queries, quantization: QuantizationParameters = QuantizationParameters())
        throws -> RecallReport {
        try measure(index, ef: ef, against: try exactAnswers(index, on: queries), quantization: quantization)
    }

    private func report(found: [[UInt32]], truth: [[UInt32]], latencies: [Double], source: String, ef: Int) -> RecallReport {
        let sorted = latencies.sorted()
        return RecallReport(k: k, ef: ef, queries: found.count, querySource: source, recall: Recall.atK(found: found, truth: truth, k: k),
                            latencyP50Milliseconds: Percentile.of(sorted, 0.50), latencyP99Milliseconds: Percentile.of(sorted, 0.99))
    }

    /// Points live in every index given, sampled without replacement.
    func sample(_ indexes: [HNSWIndex]) -> [UInt32] {
        guard let first = indexes.first else { return [] }
        var ids = first.liveIDs()
        for other in indexes.dropFirst() { ids = ids.filter { other.contains(id: $0) } }
        var generator = SystemRandomNumberGenerator()
        return ids.count <= queries ? ids : Array(ids.shuffled(using: &generator).prefix(queries))
    }

    /// One index's exact answers on a set of queries, each beside the query it answers, so the
    /// same index can be measured at several search settings with one scan of its vectors.
    struct ExactAnswers {
        struct Answer {
            var vector: [Float]
            /// The held-out point the query is, kept out of both answers.
            var excluded: UInt32?
            var ids: [UInt32]
        }
        var answers: [Answer]
        var source: String
    }

    /// The exact top k of every query in `queries`; a held-out id no longer in `index` is skipped.
    func exactAnswers(_ index: HNSWIndex, on queries: Queries) throws -> ExactAnswers {
        switch queries {
        case let .logged(vectors):
            return ExactAnswers(answers: try vectors.map { .init(vector: $0, excluded: nil, ids: try index.exactSearch($0, k: k).map(\.id)) },
                                source: "query_log")
        case let .heldOut(ids):
            return ExactAnswers(answers: try ids.compactMap { id in
                guard let vector = index.vector(id: id) else { return nil }
                return .init(vector: vector, excluded: id, ids: try index.exactSearch(vector, k: k, filter: { $0 != id }).map(\.id))
            }, source: "held_out_vectors")
        }
    }

    /// Recall of `index`'s graph search at `ef` against its own exact answers.
    func measure(_ index: HNSWIndex, ef: Int, against exact: ExactAnswers,
                 quantization: QuantizationParameters = QuantizationParameters()) throws -> RecallReport {
        var found: [[UInt32]] = [], latencies: [Double] = []
        for answer in exact.answers {
            let filter: ((UInt32) -> Bool)? = answer.excluded.map { excluded in { $0 != excluded } }
            let start = ContinuousClock.now
            found.append(try Self.servingSearch(index, answer.vector, k: k, ef: ef, filter: filter, quantization: quantization).map(\.id))
            latencies.append((ContinuousClock.now - start).seconds * 1000)
        }
        return report(found: found, truth: exact.answers.map(\.ids), latencies: latencies, source: exact.source, ef: ef)
    }

    /// A search as a query with `quantization` is served (by default Qdrant's: on the codes,
    /// rescored, oversampling 1) when the index holds codes, so a quantized build's gate
    /// measures what it serves.
    static func servingSearch(_ index: HNSWIndex, _ vector: [Float], k: Int, ef: Int, filter: ((UInt32) -> Bool)?,
                              quantization: QuantizationParameters = QuantizationParameters()) throws -> [Neighbor] {
        guard index.quantizer != nil, let quantized = quantization.search else {
            return try index.search(vector, k: k, ef: ef, filter: filter)
        }
        return try index.search(vector, k: k, ef: ef, filter: filter, quantization: quantized)
    }
}
