import Foundation

/// Per-query retrieval quality at a cutoff, as BEIR computes it.
public enum RetrievalMetrics {
    /// Relevant documents found in the top k over all relevant documents (capped at k).
    public static func recall(ranked: [String], relevant: [String: Int], k: Int) -> Double {
        guard !relevant.isEmpty else { return 0 }
        let hits = ranked.prefix(k).filter { relevant[$0] != nil }.count
        return Double(hits) / Double(min(relevant.count, k))
    }

    /// Normalised discounted cumulative gain with graded relevance: gain rel, discount log2(rank + 1).
    public static func ndcg(ranked: [String], relevant: [String: Int], k: Int) -> Double {
        func dcg(_ gains: [Int]) -> Double {
            gains.prefix(k).enumerated().reduce(0) { $0 + Double($1.element) / log2(Double($1.offset) + 2) }
        }
        let ideal = dcg(relevant.values.sorted(by: >))
        guard ideal > 0 else { return 0 }
        return dcg(ranked.prefix(k).map { relevant[$0] ?? 0 }) / ideal
    }

    /// Reciprocal rank of the first relevant document within the top k (0 when none).
    public static func reciprocalRank(ranked: [String], relevant: [String: Int], k: Int) -> Double {
        guard let rank = ranked.prefix(k).firstIndex(where: { relevant[$0] != nil }) else { return 0 }
        return 1 / Double(rank + 1)
    }

    /// A paired bootstrap confidence interval for mean(b - a) over queries.
    public static func pairedBootstrap(_ a: [Double], _ b: [Double], resamples: Int = 2000, confidence: Double = 0.95,
                                       seed: UInt64 = 0x5EED) -> (low: Double, high: Double) {
        precondition(a.count == b.count && !a.isEmpty, "paired samples")
        let differences = zip(b, a).map { $0 - $1 }
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in differences.indices { sum += differences[Int(next() % UInt64(differences.count))] }
            means.append(sum / Double(differences.count))
        }
        means.sort()
        let tail = (1 - confidence) / 2
        return (means[Int(tail * Double(resamples))], means[min(resamples - 1, Int((1 - tail) * Double(resamples)))])
    }
}
