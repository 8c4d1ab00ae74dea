import Storage
import VectorIndex

/// Errors of the serving layer, each naming what to change. Storage and index errors pass
/// through unchanged so callers can map every domain error in one place.
public enum LifecycleError: Error, Equatable, CustomStringConvertible {
    case invalidRequest(String)
    case limitTooLarge(limit: Int, maximum: Int)
    case corruptIndexImage(String)
    /// Another writer stored an image in the chain's store since this process's last one.
    case indexImageChainMoved(expected: UInt64, stored: UInt64)
    case pointNotFound(String)
    case queryDimensionMismatch(expected: Int, actual: Int)
    case cancelled
    case unknownVector(name: String, known: [String])
    case buildNotFound(collection: String, number: Int)
    case buildNotServable(collection: String, number: Int, status: String)
    case nothingToRollBack(String)
    case collectionUnavailable(name: String, reason: String)
    /// The collection switched models while a write was being embedded: embed it again.
    case bindingChanged(expected: String?, actual: String?)
    /// A snapshot could not be written (the reason names the step).
    case snapshotFailed(String)
    /// A snapshot file that cannot be recovered: damaged, foreign, or with a wrong checksum.
    case snapshotInvalid(String)
    case snapshotNotFound(collection: String, name: String)

    public var description: String {
        switch self {
        case let .invalidRequest(reason): reason
        case let .limitTooLarge(limit, maximum): "limit + offset is \(limit); the maximum is \(maximum)"
        case let .corruptIndexImage(reason): "stored index image is unreadable: \(reason)"
        case let .indexImageChainMoved(expected, stored):
            "the stored index images moved on (at change \(stored), this process last stored \(expected)): the next image is stored in full"
        case let .pointNotFound(id): "no point with id \(id)"
        case .cancelled: "the build was cancelled"
        case let .unknownVector(name, known):
            "the collection has no vector named `\(name)`; its vectors are \(known.map { "`\($0)`" }.joined(separator: ", "))"
        case let .buildNotFound(collection, number): "collection `\(collection)` has no build \(number); `lodestone builds list --collection \(collection)` lists them"
        case let .buildNotServable(collection, number, status):
            "build \(number) of `\(collection)` is \(status); only a ready build can serve"
        case let .nothingToRollBack(collection): "collection `\(collection)` has no previous build to roll back to"
        case let .collectionUnavailable(name, reason):
            "collection `\(name)` could not be opened when the server started and is not served (\(reason)); the others serve. Restore it from a backup, or delete it"
        case let .bindingChanged(expected, actual):
            "the collection's embedding model changed from \(expected ?? "none") to \(actual ?? "none") while the write was embedded; send it again"
        case let .snapshotFailed(reason): "the snapshot could not be written: \(reason)"
        case let .snapshotInvalid(reason): "the snapshot cannot be recovered: \(reason)"
        case let .snapshotNotFound(collection, name):
            "collection `\(collection)` has no snapshot `\(name)`; GET /collections/\(collection)/snapshots lists them"
        case let .queryDimensionMismatch(expected, actual):
            "query vector has \(actual) dimensions; the collection's vectors have \(expected)"
        }
    }
}
