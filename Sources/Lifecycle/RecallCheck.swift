import Foundation
import VectorIndex

/// Recall@k of an index's graph search against exact (BLAS) search on held-out vectors: each
/// query is a stored point's vector, with that point excluded from both answers. Two indexes
/// (a candidate and production) are measured on the same points, each with its own vector
/// for them, so the comparison holds even across embedding models.
struct RecallCheck {
    var k: Int
    var queries: Int

    /// Points live in every index given, sampled without replacement.
    func sample(_ indexes: [HNSWIndex]) -> [UInt32] {
        guard let first = indexes.first else { return [] }
        var ids = first.liveIDs()
        for other in indexes.dropFirst() { ids = ids.filter { other.contains(id: $0) } }
        var generator = SystemRandomNumberGenerator()
        return ids.count <= queries ? ids : Array(ids.shuffled(using: &generator).prefix(queries))
    }

    func measure(_ index: HNSWIndex, ef: Int, on sample: [UInt32]) throws -> RecallReport {
        var found: [[UInt32]] = []
        var truth: [[UInt32]] = []
        var latencies: [Double] = []
        for id in sample {
            guard let vector = index.vector(id: id) else { continue }
            let others: (UInt32) -> Bool = { $0 != id }
            truth.append(try index.exactSearch(vector, k: k, filter: others).map(\.id))
            let start = ContinuousClock.now
            found.append(try index.search(vector, k: k, ef: ef, filter: others).map(\.id))
            latencies.append((ContinuousClock.now - start).seconds * 1000)
        }
        latencies.sort()
        func percentile(_ p: Int) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * p / 100)] }
        return RecallReport(k: k, ef: ef, queries: found.count, querySource: "held_out_vectors",
                            recall: Recall.atK(found: found, truth: truth, k: k),
                            latencyP50Milliseconds: percentile(50), latencyP99Milliseconds: percentile(99))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
