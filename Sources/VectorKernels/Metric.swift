/// How two vectors are compared. Every metric is expressed as a distance: smaller is closer.
public enum Metric: String, Sendable, CaseIterable, Codable, Hashable {
    /// Squared Euclidean distance.
    case l2
    /// One minus the inner product (as hnswlib's "ip" space): ordering equals descending dot product.
    case dot
    /// One minus the cosine similarity.
    case cosine

    /// Accepts the spellings users bring from other engines (Qdrant's `Euclid`, hnswlib's `ip`).
    public init?(userSpelling: String) {
        switch userSpelling.lowercased() {
        case "l2", "euclid", "euclidean": self = .l2
        case "dot", "ip", "inner_product", "innerproduct": self = .dot
        case "cosine", "cos": self = .cosine
        default: return nil
        }
    }

    /// Cosine is computed as a dot product over unit vectors, so indexes normalise once at insert
    /// time instead of dividing by norms on every comparison.
    public var normalizesVectors: Bool { self == .cosine }

    /// The kernel an index runs on its stored (possibly normalised) vectors.
    public var storedVectorMetric: Metric { self == .cosine ? .dot : self }
}
