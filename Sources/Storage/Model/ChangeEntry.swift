/// One entry of a collection's change log. Sequence numbers start at 1 and have no gaps.
public struct ChangeEntry: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable, Codable {
        /// A new point: `newInternalID` was allocated.
        case insert = 1
        /// The vector changed: `oldInternalID` is dead, `newInternalID` replaces it.
        case replace = 2
        /// Payload or text changed; the internal id (old == new) is unchanged.
        case update = 3
        /// The point is gone: `oldInternalID` is dead.
        case delete = 4
    }

    public var sequence: UInt64
    public var kind: Kind
    public var pointID: PointID
    public var oldInternalID: UInt32?
    public var newInternalID: UInt32?

    public init(sequence: UInt64, kind: Kind, pointID: PointID, oldInternalID: UInt32?, newInternalID: UInt32?) {
        self.sequence = sequence
        self.kind = kind
        self.pointID = pointID
        self.oldInternalID = oldInternalID
        self.newInternalID = newInternalID
    }
}
