import Storage
import VectorIndex

/// Errors of the serving layer, each naming what to change. Storage and index errors pass
/// through unchanged so callers can map every domain error in one place.
public enum LifecycleError: Error, Equatable, CustomStringConvertible {
    case invalidRequest(String)
    case limitTooLarge(limit: Int, maximum: Int)
    case corruptIndexImage(String)
    case pointNotFound(String)
    case queryDimensionMismatch(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .invalidRequest(reason): reason
        case let .limitTooLarge(limit, maximum): "limit + offset is \(limit); the maximum is \(maximum)"
        case let .corruptIndexImage(reason): "stored index image is unreadable: \(reason)"
        case let .pointNotFound(id): "no point with id \(id)"
        case let .queryDimensionMismatch(expected, actual):
            "query vector has \(actual) dimensions; the collection's vectors have \(expected)"
        }
    }
}
