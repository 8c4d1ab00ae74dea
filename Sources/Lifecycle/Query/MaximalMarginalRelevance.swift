import VectorKernels

/// Qdrant's MMR: the most relevant candidate first, then repeatedly the one maximising
/// lambda * relevance - (1 - lambda) * (its highest similarity to one already chosen), with
/// similarities under the vector's own metric. The chosen points keep their relevance score.
enum MaximalMarginalRelevance {
    static func select(query: [Float], candidates: [(id: UInt32, vector: [Float])], metric: Metric, lambda: Float,
                       limit: Int, relevance: [Float]) -> [ScoredID] {
        guard !candidates.isEmpty, limit > 0 else { return [] }
        guard candidates.count >= 2 else { return [ScoredID(id: candidates[0].id, score: relevance[0])] }
        let similarity = metric.similarityFunction
        var remaining = Array(candidates.indices)
        var chosen: [Int] = []
        // The highest similarity of each remaining candidate to the chosen ones, kept up to date
        // as each is chosen: O(limit * candidates) similarities instead of the full matrix.
        var closest = [Float](repeating: -.infinity, count: candidates.count)
        let first = remaining.max { relevance[$0] < relevance[$1] }!
        chosen.append(first)
        remaining.removeAll { $0 == first }
        while chosen.count < limit, !remaining.isEmpty {
            let last = candidates[chosen[chosen.count - 1]].vector
            for index in remaining { closest[index] = max(closest[index], similarity(candidates[index].vector, last)) }
            let best = remaining.max { left, right in
                lambda * relevance[left] - (1 - lambda) * closest[left] < lambda * relevance[right] - (1 - lambda) * closest[right]
            }!
            chosen.append(best)
            remaining.removeAll { $0 == best }
        }
        return chosen.map { ScoredID(id: candidates[$0].id, score: relevance[$0]) }
    }
}

extension Metric {
    /// Similarity in Qdrant's score terms: cosine and dot products, the negated L2 distance.
    var similarityFunction: ([Float], [Float]) -> Float {
        switch self {
        case .cosine:
            return { left, right in
                let norms = (dotProduct(left, left) * dotProduct(right, right)).squareRoot()
                return norms > 0 ? dotProduct(left, right) / norms : 0
            }
        case .dot: return { dotProduct($0, $1) }
        case .l2:
            return { left, right in
                var sum: Float = 0
                for (a, b) in zip(left, right) { sum += (a - b) * (a - b) }
                return -sum.squareRoot()
            }
        }
    }
}

private func dotProduct(_ left: [Float], _ right: [Float]) -> Float {
    var sum: Float = 0
    for (a, b) in zip(left, right) { sum += a * b }
    return sum
}
