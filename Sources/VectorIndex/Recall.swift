/// Recall@k: the share of the true k nearest neighbours that a search returned.
public enum Recall {
    /// Mean over queries of |found ∩ truth| / min(k, |truth|). A query with no true neighbours
    /// (a filter that matches nothing) counts as fully recalled when nothing was found.
    public static func atK(found: [[UInt32]], truth: [[UInt32]], k: Int) -> Double {
        precondition(found.count == truth.count, "one result list per query")
        guard !found.isEmpty else { return 1 }
        var total = 0.0
        for (hits, expected) in zip(found, truth) {
            let expectedTop = Set(expected.prefix(k))
            guard !expectedTop.isEmpty else {
                total += hits.isEmpty ? 1 : 0
                continue
            }
            let matched = hits.prefix(k).reduce(0) { $0 + (expectedTop.contains($1) ? 1 : 0) }
            total += Double(matched) / Double(expectedTop.count)
        }
        return total / Double(found.count)
    }
}
