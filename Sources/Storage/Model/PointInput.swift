/// A point to upsert. `payload` is a `JSONValue` because that is what arrives from a request;
/// anything but an object is rejected by validation.
public struct PointInput: Sendable, Hashable {
    public var id: PointID
    /// The primary dense vector; empty when a point of a named-vector collection has none.
    public var vector: [Float]
    public var payload: JSONValue
    public var text: String?
    /// Dense vectors other than the primary, by name.
    public var namedVectors: [String: [Float]]
    public var sparseVectors: [String: SparseVectorValue]

    public init(id: PointID, vector: [Float], payload: JSONValue = .object([:]), text: String? = nil,
                namedVectors: [String: [Float]] = [:], sparseVectors: [String: SparseVectorValue] = [:]) {
        self.id = id
        self.vector = vector
        self.payload = payload
        self.text = text
        self.namedVectors = namedVectors
        self.sparseVectors = sparseVectors
    }
}

/// A stored point. `vector` is nil when the read did not ask for vectors.
public struct Point: Sendable, Hashable {
    public var id: PointID
    /// Dense id used by the vector index; a new one is allocated whenever the vector changes.
    public var internalID: UInt32
    /// The primary dense vector; nil when not asked for or when the point has none.
    public var vector: [Float]?
    public var payload: [String: JSONValue]
    public var text: String?
    /// Other dense and sparse vectors, filled when the read asked for vectors.
    public var namedVectors: [String: [Float]]
    public var sparseVectors: [String: SparseVectorValue]

    public init(id: PointID, internalID: UInt32, vector: [Float]?, payload: [String: JSONValue], text: String?,
                namedVectors: [String: [Float]] = [:], sparseVectors: [String: SparseVectorValue] = [:]) {
        self.id = id
        self.internalID = internalID
        self.vector = vector
        self.payload = payload
        self.text = text
        self.namedVectors = namedVectors
        self.sparseVectors = sparseVectors
    }
}

/// One page of a scroll, in external id order.
public struct ScrollPage: Sendable, Hashable {
    public var points: [Point]
    /// The id to pass as `from` for the next page; nil on the last page.
    public var nextOffset: PointID?
}
