/// A sparse vector: the dimensions that are present and their values, dimensions ascending and
/// unique, values finite.
///
/// Callers may pass pairs in any order (Qdrant accepts unsorted input); keeping them sorted
/// here is what lets a dot product, an insert and a snapshot all be single merges.
public struct SparseVector: Sendable, Hashable {
    public let indices: [UInt32]
    public let values: [Float]

    /// Sorts the pairs by dimension; rejects mismatched lengths, non-finite values and a
    /// dimension given twice (which value would win is not ours to guess).
    public init(indices: [UInt32], values: [Float]) throws(IndexError) {
        guard indices.count == values.count else {
            throw .invalidParameter(name: "values", reason: "a sparse vector needs as many values as indices (got \(indices.count) indices and \(values.count) values)")
        }
        if let position = values.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(position: position) }
        if zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }) {
            self.indices = indices
            self.values = values
            return
        }
        let order = indices.indices.sorted { indices[$0] < indices[$1] }
        let sortedIndices = order.map { indices[$0] }
        for (left, right) in zip(sortedIndices, sortedIndices.dropFirst()) where left == right {
            throw .invalidParameter(name: "indices", reason: "sparse vector dimension \(left) appears more than once")
        }
        self.indices = sortedIndices
        self.values = order.map { values[$0] }
    }

    /// The empty vector: it shares no dimension with anything.
    public init() {
        indices = []
        values = []
    }

    public var isEmpty: Bool { indices.isEmpty }

    /// Number of stored dimensions.
    public var count: Int { indices.count }

    /// Sum over the dimensions both vectors hold; one pass over the two sorted lists.
    public func dot(_ other: SparseVector) -> Float {
        var sum: Float = 0
        var left = 0
        var right = 0
        while left < indices.count, right < other.indices.count {
            let a = indices[left]
            let b = other.indices[right]
            if a == b {
                sum += values[left] * other.values[right]
                left += 1
                right += 1
            } else if a < b {
                left += 1
            } else {
                right += 1
            }
        }
        return sum
    }
}

/// How a query scores a document over the dimensions they share. Chosen per search, so one
/// index serves plain dot products, Qdrant's `modifier: "idf"` and BM25 at once.
public enum SparseScoring: Sendable, Hashable {
    /// Sum of query value times document value.
    case dot
    /// Qdrant's `idf` modifier: each shared dimension's product is weighted by
    /// idf(t) = ln((N − n_t + 0.5) / (n_t + 0.5) + 1), N and n_t counted over live documents.
    case idf
    /// Lucene/tantivy BM25: document values are raw term frequencies, each document has the
    /// length it was inserted with, and a term scores
    /// q_t · idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·length/averageLength)).
    /// A nil `averageLength` uses the index's live average. A frequency of zero or less counts
    /// as an absent term (it scores 0), which keeps the formula defined for any stored value.
    case bm25(k1: Float, b: Float, averageLength: Float?)

    /// BM25's term score must rise with frequency and fall with length, or the per-list upper
    /// bounds that let a search skip postings would be wrong; these ranges guarantee it.
    func validate() throws(IndexError) {
        guard case let .bm25(k1, b, averageLength) = self else { return }
        guard k1.isFinite, k1 >= 0 else { throw .invalidParameter(name: "k1", reason: "must be finite and at least 0, got \(k1)") }
        guard b.isFinite, (0...1).contains(b) else { throw .invalidParameter(name: "b", reason: "must be between 0 and 1, got \(b)") }
        if let averageLength, !(averageLength.isFinite && averageLength > 0) {
            throw .invalidParameter(name: "averageLength", reason: "must be finite and greater than 0, got \(averageLength)")
        }
    }
}

/// One sparse search hit: a document id and its score (larger is better).
public struct SparseHit: Sendable, Hashable {
    public var id: UInt32
    public var score: Float

    public init(id: UInt32, score: Float) {
        self.id = id
        self.score = score
    }
}
