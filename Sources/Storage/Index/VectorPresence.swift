/// The points that have each vector a filter's `has_vector` conditions name, read once when the
/// filter is prepared (see `CollectionStore.prepare`), so evaluation asks set membership
/// instead of reading vector records point by point.
struct VectorPresence {
    static let none = VectorPresence(pointsByVector: [:])

    let pointsByVector: [String: InternalIDSet]

    func points(having name: String) -> InternalIDSet {
        guard let ids = pointsByVector[name] else {
            preconditionFailure("has_vector `\(name)` was not resolved when its filter was prepared")
        }
        return ids
    }

    func point(_ internalID: UInt32, has name: String) -> Bool {
        points(having: name).contains(internalID)
    }
}
