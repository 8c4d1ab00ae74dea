import Storage
import VectorIndex
import VectorKernels

extension Distance {
    /// The index metric that ranks like this Qdrant distance.
    public var metric: Metric {
        switch self {
        case .cosine: .cosine
        case .dot: .dot
        case .euclid: .l2
        }
    }

    /// Qdrant reports similarity for Cosine and Dot (higher is better) and the Euclidean
    /// distance itself for Euclid (lower is better).
    public func score(fromDistance distance: Float) -> Float {
        switch self {
        case .cosine, .dot: 1 - distance
        case .euclid: distance.squareRoot()
        }
    }

    public var higherScoreIsBetter: Bool { self != .euclid }

    /// Whether `score` passes Qdrant's `score_threshold` (">=" for similarities, "<=" for distances).
    public func passes(score: Float, threshold: Float) -> Bool {
        higherScoreIsBetter ? score >= threshold : score <= threshold
    }
}

extension HNSWSettings {
    var indexParameters: HNSWParameters {
        HNSWParameters(m: m, efConstruction: efConstruction, ef: ef)
    }
}
