/// One search hit: the caller's id for a vector and its distance to the query (smaller is closer).
public struct Neighbor: Sendable, Hashable, Codable {
    public var id: UInt32
    public var distance: Float

    public init(id: UInt32, distance: Float) {
        self.id = id
        self.distance = distance
    }
}
