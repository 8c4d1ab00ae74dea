/// Vectors of one dimension stored row after row in one contiguous buffer.
public struct VectorMatrix: Sendable {
    public let dimension: Int
    public private(set) var values: [Float]

    public init(dimension: Int, values: [Float] = []) {
        precondition(dimension > 0, "dimension must be positive")
        precondition(values.count % dimension == 0, "values do not fill whole rows")
        self.dimension = dimension
        self.values = values
    }

    public init(rows: [[Float]]) {
        precondition(!rows.isEmpty, "use init(dimension:) for an empty matrix")
        self.init(dimension: rows[0].count, values: rows.flatMap { $0 })
    }

    public var count: Int { values.count / dimension }

    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * dimension ..< (index + 1) * dimension]
    }

    public mutating func append(_ row: [Float]) {
        precondition(row.count == dimension, "row has the wrong dimension")
        values.append(contentsOf: row)
    }

    public func withUnsafeRows<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try values.withUnsafeBufferPointer(body)
    }

    /// The rows at `indices`, in that order.
    public func gathering(_ indices: some Collection<Int>) -> VectorMatrix {
        var gathered: [Float] = []
        gathered.reserveCapacity(indices.count * dimension)
        for index in indices { gathered.append(contentsOf: row(index)) }
        return VectorMatrix(dimension: dimension, values: gathered)
    }
}
