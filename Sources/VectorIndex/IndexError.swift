/// Everything an index operation can refuse, with what to change.
public enum IndexError: Error, Equatable, CustomStringConvertible {
    case dimensionMismatch(expected: Int, actual: Int)
    case nonFiniteValue(position: Int)
    case duplicateID(UInt32)
    case unknownID(UInt32)
    case invalidParameter(name: String, reason: String)
    case capacityExceeded(limit: Int)
    case corruptSnapshot(String)
    /// The quantized graph's float vectors could not be moved to (or grown on) disk.
    case vectorPaging(String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(expected, actual):
            "vector has \(actual) dimensions, the index expects \(expected)"
        case let .nonFiniteValue(position):
            "vector component \(position) is NaN or infinite; only finite values can be indexed"
        case let .duplicateID(id):
            "id \(id) is already in the index; delete it first or use a new id"
        case let .unknownID(id):
            "id \(id) is not in the index"
        case let .invalidParameter(name, reason):
            "invalid \(name): \(reason)"
        case let .capacityExceeded(limit):
            "the index cannot hold more than \(limit) vectors"
        case let .corruptSnapshot(reason):
            "the stored index is not readable: \(reason)"
        case let .vectorPaging(reason):
            "\(reason); the vectors stay in memory"
        }
    }
}
