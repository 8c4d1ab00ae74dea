/// A named dense vector of a collection beyond its primary one: its own size, metric and
/// HNSW settings, and its own HNSW index.
public struct DenseVectorConfiguration: Sendable, Hashable, Codable {
    public var dimension: Int
    public var distance: Distance
    public var hnsw: HNSWSettings
    /// Qdrant's `on_disk`: true keeps the float vectors in a file the OS pages even when the
    /// graph walks them, false keeps them in memory even when it walks codes; nil (the default)
    /// pages them exactly when the collection is quantized. Changed by a collection update (`Store.setVectorsOnDisk`).
    public var onDisk: Bool?

    public init(dimension: Int, distance: Distance, hnsw: HNSWSettings = HNSWSettings(), onDisk: Bool? = nil) {
        self.dimension = dimension
        self.distance = distance
        self.hnsw = hnsw
        self.onDisk = onDisk
    }
}

/// Qdrant's sparse-vector modifier: `idf` weights each dimension by its inverse document
/// frequency among the live points at query time.
public enum SparseModifier: String, Sendable, Hashable, Codable {
    case none
    case idf
}

/// A named sparse vector of a collection, served by an inverted index.
public struct SparseVectorConfiguration: Sendable, Hashable, Codable {
    public var modifier: SparseModifier

    public init(modifier: SparseModifier = .none) {
        self.modifier = modifier
    }
}

/// A sparse vector as stored: dimensions ascending and unique, values finite. `length` is the
/// document length (token count) when the vector holds BM25 term frequencies, else nil.
public struct SparseVectorValue: Sendable, Hashable {
    public private(set) var indices: [UInt32]
    public private(set) var values: [Float]
    public var length: Float?

    /// Sorts the pairs by dimension; rejects mismatched lengths, repeated dimensions and
    /// non-finite values with a message that names the problem.
    public init(indices: [UInt32], values: [Float], length: Float? = nil) throws(SparseVectorError) {
        guard indices.count == values.count else {
            throw .lengthMismatch(indices: indices.count, values: values.count)
        }
        if let position = values.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(position: position) }
        var pairs = Array(zip(indices, values))
        if !zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }) {
            pairs.sort { $0.0 < $1.0 }
            for (left, right) in zip(pairs, pairs.dropFirst()) where left.0 == right.0 {
                throw .duplicateIndex(left.0)
            }
        }
        self.indices = pairs.map(\.0)
        self.values = pairs.map(\.1)
        self.length = length
    }

    public var isEmpty: Bool { indices.isEmpty }
}

public enum SparseVectorError: Error, Sendable, Hashable, CustomStringConvertible {
    case lengthMismatch(indices: Int, values: Int)
    case nonFinite(position: Int)
    case duplicateIndex(UInt32)

    public var description: String {
        switch self {
        case let .lengthMismatch(indices, values):
            "a sparse vector needs as many `values` as `indices` (got \(indices) indices and \(values) values)"
        case let .nonFinite(position): "sparse vector value at position \(position) is NaN or infinite"
        case let .duplicateIndex(index): "sparse vector index \(index) appears more than once"
        }
    }
}
