/// Rank and score fusion of candidate lists, as Qdrant computes them.
enum ScoreFusion {
    /// Sums in double precision, and sums within a few ulps of each other count as equal (then
    /// the lower id wins): RRF makes many exact ties (1/3 + 1/6 = 1/4 + 1/4), and rounding must
    /// not decide them.
    static func fuse(_ lists: [[ScoredID]], _ fusion: Fusion) -> [ScoredID] {
        var totals: [UInt32: Double] = [:]
        switch fusion {
        case let .rrf(k):
            for list in lists {
                for (position, hit) in list.enumerated() { totals[hit.id, default: 0] += 1 / Double(k + position) }
            }
        case .dbsf:
            for list in lists {
                for (hit, score) in zip(list, distributionNormalized(list.map(\.score))) { totals[hit.id, default: 0] += Double(score) }
            }
        }
        return totals.sorted { left, right in
            let tolerance = 1e-12 * max(abs(left.value), abs(right.value))
            return abs(left.value - right.value) > tolerance ? left.value > right.value : left.key < right.key
        }.map { ScoredID(id: $0.key, score: Float($0.value)) }
    }

    /// Higher score first, then lower id, so equal scores come out in a stable order.
    static func bestFirst(_ left: ScoredID, _ right: ScoredID) -> Bool {
        left.score != right.score ? left.score > right.score : left.id < right.id
    }

    /// Scores mapped so that mean - 3σ is 0 and mean + 3σ is 1 (σ the sample standard
    /// deviation); a single score, or a list with no spread, maps to 0.5.
    static func distributionNormalized(_ scores: [Float]) -> [Float] {
        guard scores.count >= 2 else { return scores.map { _ in 0.5 } }
        var mean: Double = 0
        var aggregate: Double = 0
        for (count, score) in zip(1..., scores) {
            let delta = Double(score) - mean
            mean += delta / Double(count)
            aggregate += delta * (Double(score) - mean)
        }
        let deviation = (aggregate / Double(scores.count - 1)).squareRoot()
        let low = mean - 3 * deviation, high = mean + 3 * deviation
        guard high > low else { return scores.map { _ in 0.5 } }
        return scores.map { Float((Double($0) - low) / (high - low)) }
    }
}
