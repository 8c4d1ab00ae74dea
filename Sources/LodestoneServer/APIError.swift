import Foundation
import Embeddings
import HTTPTypes
import Lifecycle
import Storage
import VectorIndex

/// A client-facing error: an HTTP status and a message that says what to fix. Every domain
/// error is mapped here, in one place; anything unmapped is a 500 that the server logs.
struct APIError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String
    /// Seconds a client should wait before trying again (503 under overload).
    var retryAfter: Int? = nil

    var description: String { message }

    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, message: "Wrong input: \(message)") }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, message: "Not found: \(message)") }

    /// Maps errors thrown below the HTTP layer to statuses a client can act on.
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError:
            return error
        case let error as StorageError:
            switch error {
            case .collectionNotFound(let name):
                return .notFound("Collection `\(name)` doesn't exist!")
            case .pointNotFound:
                return .notFound(error.description)
            case .collectionExists(let name):
                return APIError(status: .conflict, message: "Wrong input: Collection `\(name)` already exists!")
            case .payloadIndexNotFound: return .notFound(error.description)
            case .payloadIndexExists:
                return APIError(status: .conflict, message: "Wrong input: \(error.description)")
            case .diskFull, .mapSizeLimitReached:
                return APIError(status: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), message: "Service unavailable: \(error.description)")
            case .io, .lmdb, .corruptRecord, .unsupportedFormat, .environmentAlreadyOpen, .blobCorrupted, .internalIDsExhausted:
                return nil
            default:
                return .badRequest(error.description)
            }
        case let error as LifecycleError:
            switch error {
            case .pointNotFound, .buildNotFound, .snapshotNotFound: return .notFound(error.description)
            case .snapshotFailed: return nil
            case .buildNotServable, .nothingToRollBack, .bindingChanged, .cancelled:
                return APIError(status: .conflict, message: "Wrong input: \(error.description)")
            case .corruptIndexImage, .indexImageChainMoved: return nil
            case .collectionUnavailable: return APIError(status: .serviceUnavailable, message: "Service unavailable: \(error.description)")
            default: return .badRequest(error.description)
            }
        case let error as AliasError:
            switch error {
            case .collectionNotFound, .aliasNotFound: return .notFound(error.description)
            case .shadowsCollection: return APIError(status: .conflict, message: "Wrong input: \(error.description)")
            case .invalidName: return .badRequest(error.description)
            }
        case let error as IndexError:
            switch error {
            case .corruptSnapshot, .capacityExceeded: return nil
            default: return .badRequest(error.description)
            }
        case let error as EmbeddingsError:
            return .badRequest(error.description)
        case let error as SparseVectorError:
            return .badRequest(error.description)
        case let refusal as ExecutorRefusal:
            switch refusal {
            case let .overloaded(queue):
                return APIError(status: .serviceUnavailable, message: "Service unavailable: the \(queue) queue is full; retry after a second", retryAfter: 1)
            case let .timedOut(seconds):
                return APIError(status: .requestTimeout, message: String(format: "Timeout: the request waited longer than its timeout of %g s", seconds))
            }
        case let error as ArtifactError:
            if case .notFound = error { return .notFound(error.description) }
            return .badRequest(error.description)
        case let error as RegistryError:
            if case .modelNotFound = error { return .notFound(error.description) }
            if case .datasetNotFound = error { return .notFound(error.description) }
            return .badRequest(error.description)
        case let error as EvaluationError:
            return .badRequest(error.description)
        default:
            return nil
        }
    }
}
