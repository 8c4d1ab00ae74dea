/// Every error the Storage module throws. Each message says what went wrong and what to do.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    // Collections
    case collectionExists(String)
    case collectionNotFound(String)
    case invalidCollectionName(String, reason: String)
    case invalidSchema(String)
    case payloadIndexExists(collection: String, field: String)
    case payloadIndexNotFound(collection: String, field: String)
    case invalidBuildID(String, reason: String)

    // Points
    case dimensionMismatch(point: PointID, expected: Int, actual: Int)
    case namedDimensionMismatch(point: PointID, name: String, expected: Int, actual: Int)
    case unknownVector(point: PointID, name: String, known: [String])
    case nonFiniteVector(point: PointID, position: Int)
    case nonFinitePayload(point: PointID?, path: String)
    case payloadNotObject(point: PointID?)
    case payloadTooLarge(point: PointID?, bytes: Int, limit: Int)
    case pointNotFound(PointID)
    case invalidLimit(Int)
    case internalIDsExhausted(collection: String)
    case embeddingModelChanged(expected: String, bound: String)
    /// The change log no longer holds the entries after `after`: a reader that far behind must
    /// rebuild from the stored points instead of replaying.
    case changeLogTruncated(after: UInt64, oldestRetained: UInt64?)

    // JSON and filters
    case invalidJSON(String, offset: Int)
    case invalidPayloadPath(String, reason: String)
    case invalidFilter(String)
    case unsupportedFilter(String)
    /// A `has_vector` condition names a vector the collection does not have.
    case unknownFilterVector(name: String, collection: String, known: [String])
    case invalidOrderBy(String)

    // Blobs
    case invalidBlobName(String)
    case blobCorrupted(name: String, reason: String)

    // On-disk formats
    case corruptRecord(String)
    case unsupportedFormat(what: String, found: Int, supported: Int)

    // Environments and files
    case diskFull(path: String)
    case mapSizeLimitReached(path: String, limit: Int)
    case environmentAlreadyOpen(path: String)
    case io(path: String, reason: String)
    case lmdb(LMDBError, operation: String, path: String)

    // Backup
    case notABackup(path: String, reason: String)
    case targetNotEmpty(path: String)

    public var description: String {
        switch self {
        case .collectionExists(let name):
            "Collection '\(name)' already exists; delete it first or pick another name."
        case .collectionNotFound(let name):
            "Collection '\(name)' does not exist."
        case .invalidCollectionName(let name, let reason):
            "Invalid collection name '\(name)': \(reason)."
        case .invalidSchema(let reason):
            "Invalid collection schema: \(reason)."
        case .payloadIndexExists(let collection, let field):
            "Collection '\(collection)' already has a payload index on '\(field)'."
        case .payloadIndexNotFound(let collection, let field):
            "Collection '\(collection)' has no payload index on '\(field)'."
        case .invalidBuildID(let id, let reason):
            "Invalid build id '\(id)': \(reason)."
        case .embeddingModelChanged(let expected, let bound):
            "the points were embedded with \(expected) but the collection is now bound to \(bound); embed them again"
        case .namedDimensionMismatch(let point, let name, let expected, let actual):
            "Point \(point): vector `\(name)` has \(actual) dimensions, the collection expects \(expected)."
        case .unknownVector(let point, let name, let known):
            "Point \(point): the collection has no vector named `\(name)`; its vectors are \(known.map { "`\($0)`" }.joined(separator: ", "))."
        case .dimensionMismatch(let point, let expected, let actual):
            "Point \(point): vector has \(actual) dimensions, the collection expects \(expected)."
        case .nonFiniteVector(let point, let position):
            "Point \(point): vector element \(position) is NaN or infinite; every element must be finite."
        case .nonFinitePayload(let point, let path):
            "Point \(point.map(String.init(describing:)) ?? "(filter)"): payload number at '\(path)' is NaN or infinite."
        case .payloadNotObject(let point):
            "Point \(point.map(String.init(describing:)) ?? "(filter)"): payload must be a JSON object."
        case .payloadTooLarge(let point, let bytes, let limit):
            "Point \(point.map(String.init(describing:)) ?? "(filter)"): payload is \(bytes) bytes, above the limit of \(limit)."
        case .pointNotFound(let id):
            "No point with id \(id)."
        case .internalIDsExhausted(let collection):
            "Collection '\(collection)' has used all 2^32 internal ids; copy its points into a new collection."
        case .changeLogTruncated(let after, let oldest):
            "The change log no longer holds the changes after \(after) (it starts at \(oldest.map(String.init) ?? "the end")); rebuild from the stored points."
        case .invalidLimit(let limit):
            "Limit \(limit) is invalid; use a positive number."
        case .invalidJSON(let reason, let offset):
            "Invalid JSON at byte \(offset): \(reason)."
        case .invalidPayloadPath(let path, let reason):
            "Invalid payload key '\(path)': \(reason)."
        case .invalidFilter(let reason):
            "Invalid filter: \(reason)."
        case .unsupportedFilter(let what):
            "Unsupported filter: \(what) is not supported by this server."
        case .unknownFilterVector(let name, let collection, let known):
            "Invalid filter: has_vector names `\(name)`, but collection '\(collection)' has no such vector; its vectors are \(known.map { "`\($0)`" }.joined(separator: ", "))."
        case .invalidOrderBy(let reason):
            "Invalid order_by: \(reason)."
        case .invalidBlobName(let name):
            "Invalid blob name '\(name)': use 1 to 200 bytes of UTF-8 without NUL."
        case .blobCorrupted(let name, let reason):
            "Blob '\(name)' is corrupted: \(reason). Rebuild the artifact."
        case .corruptRecord(let reason):
            "Corrupt record: \(reason). Restore from a backup."
        case .unsupportedFormat(let what, let found, let supported):
            "\(what) has format version \(found); this build reads version \(supported). Use a matching Lodestone release."
        case .diskFull(let path):
            "Disk full while writing \(path); the write was not applied. Free space and retry."
        case .mapSizeLimitReached(let path, let limit):
            "Database \(path) reached its configured size limit of \(limit) bytes; raise the limit."
        case .environmentAlreadyOpen(let path):
            "Database \(path) is already open in this process; share the open instance."
        case .io(let path, let reason):
            "File error at \(path): \(reason)."
        case .lmdb(let error, let operation, let path):
            "LMDB error in \(operation) on \(path): \(error)."
        case .notABackup(let path, let reason):
            "\(path) is not a Lodestone backup: \(reason)."
        case .targetNotEmpty(let path):
            "\(path) is not empty; choose a new or empty directory."
        }
    }
}
