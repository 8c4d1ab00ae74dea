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
    func compare(_ candidate: HNSWIndex, ef: Int, model: String?, with production: Production?, log: QueryLog?)
        throws -> (candidate: RecallReport, production: RecallReport?, queries: Queries) {
        let logged = production.flatMap { production in
            model == production.model ? loggedQueries(log, build: production.build, dimension: candidate.dimension) : nil
        }
        let sample: Queries = logged.map { .logged($0) } ?? .heldOut(self.sample([candidate] + (production.map { [$0.index] } ?? [])))
        return (try measure(candidate, ef: ef, on: sample), try production.map { try measure($0.index, ef: $0.ef, on: sample) }, sample)
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
        switch queries {
        case let .heldOut(ids): return try measure(index, ef: ef, on: ids, quantization: quantization)
        case let .logged(vectors):
            var found: [[UInt32]] = [], truth: [[UInt32]] = [], latencies: [Double] = []
            for vector in vectors {
                truth.append(try index.exactSearch(vector, k: k).map(\.id))
                let start = ContinuousClock.now
                found.append(try Self.servingSearch(index, vector, k: k, ef: ef, filter: nil, quantization: quantization).map(\.id))
                latencies.append((ContinuousClock.now - start).seconds * 1000)
            }
            return report(found: found, truth: truth, latencies: latencies, source: "query_log", ef: ef)
        }
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

    func measure(_ index: HNSWIndex, ef: Int, on sample: [UInt32], quantization: QuantizationParameters = QuantizationParameters()) throws -> RecallReport {
        var found: [[UInt32]] = []
        var truth: [[UInt32]] = []
        var latencies: [Double] = []
        for id in sample {
            guard let vector = index.vector(id: id) else { continue }
            let others: (UInt32) -> Bool = { $0 != id }
            truth.append(try index.exactSearch(vector, k: k, filter: others).map(\.id))
            let start = ContinuousClock.now
            found.append(try Self.servingSearch(index, vector, k: k, ef: ef, filter: others, quantization: quantization).map(\.id))
            latencies.append((ContinuousClock.now - start).seconds * 1000)
        }
        return report(found: found, truth: truth, latencies: latencies, source: "held_out_vectors", ef: ef)
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
