import CLMDB
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An LMDB (or errno) return code, named. This is the only place that knows the numbers.
public enum LMDBError: Error, Sendable, Hashable, CustomStringConvertible {
    case keyExists
    case notFound
    case pageNotFound
    case corrupted
    case panic
    case versionMismatch
    case invalidFile
    case mapFull
    case databasesFull
    case readersFull
    case threadLocalStorageFull
    case transactionFull
    case cursorStackFull
    case pageFull
    case mapResized
    case incompatible
    case badReaderSlot
    case badTransaction
    case badValueSize
    case badDatabaseHandle
    /// ENOSPC or EDQUOT: the file system refused to grow the file.
    case noSpace
    case permissionDenied
    case inputOutput
    case outOfMemory
    case invalidArgument
    case other(Int32)

    public init(code: Int32) {
        switch code {
        case MDB_KEYEXIST: self = .keyExists
        case MDB_NOTFOUND: self = .notFound
        case MDB_PAGE_NOTFOUND: self = .pageNotFound
        case MDB_CORRUPTED: self = .corrupted
        case MDB_PANIC: self = .panic
        case MDB_VERSION_MISMATCH: self = .versionMismatch
        case MDB_INVALID: self = .invalidFile
        case MDB_MAP_FULL: self = .mapFull
        case MDB_DBS_FULL: self = .databasesFull
        case MDB_READERS_FULL: self = .readersFull
        case MDB_TLS_FULL: self = .threadLocalStorageFull
        case MDB_TXN_FULL: self = .transactionFull
        case MDB_CURSOR_FULL: self = .cursorStackFull
        case MDB_PAGE_FULL: self = .pageFull
        case MDB_MAP_RESIZED: self = .mapResized
        case MDB_INCOMPATIBLE: self = .incompatible
        case MDB_BAD_RSLOT: self = .badReaderSlot
        case MDB_BAD_TXN: self = .badTransaction
        case MDB_BAD_VALSIZE: self = .badValueSize
        case MDB_BAD_DBI: self = .badDatabaseHandle
        case ENOSPC, EDQUOT: self = .noSpace
        case EACCES: self = .permissionDenied
        case EIO: self = .inputOutput
        case ENOMEM: self = .outOfMemory
        case EINVAL: self = .invalidArgument
        default: self = .other(code)
        }
    }

    public var code: Int32 {
        switch self {
        case .keyExists: MDB_KEYEXIST
        case .notFound: MDB_NOTFOUND
        case .pageNotFound: MDB_PAGE_NOTFOUND
        case .corrupted: MDB_CORRUPTED
        case .panic: MDB_PANIC
        case .versionMismatch: MDB_VERSION_MISMATCH
        case .invalidFile: MDB_INVALID
        case .mapFull: MDB_MAP_FULL
        case .databasesFull: MDB_DBS_FULL
        case .readersFull: MDB_READERS_FULL
        case .threadLocalStorageFull: MDB_TLS_FULL
        case .transactionFull: MDB_TXN_FULL
        case .cursorStackFull: MDB_CURSOR_FULL
        case .pageFull: MDB_PAGE_FULL
        case .mapResized: MDB_MAP_RESIZED
        case .incompatible: MDB_INCOMPATIBLE
        case .badReaderSlot: MDB_BAD_RSLOT
        case .badTransaction: MDB_BAD_TXN
        case .badValueSize: MDB_BAD_VALSIZE
        case .badDatabaseHandle: MDB_BAD_DBI
        case .noSpace: ENOSPC
        case .permissionDenied: EACCES
        case .inputOutput: EIO
        case .outOfMemory: ENOMEM
        case .invalidArgument: EINVAL
        case .other(let code): code
        }
    }

    public var description: String {
        let message = String(cString: mdb_strerror(code))
        return "\(message) (code \(code))"
    }
}

extension StorageError {
    /// The one mapping from an LMDB return code to what a caller sees: a full disk is its own
    /// error because it is the one a user can fix; everything else keeps the LMDB name.
    static func lmdb(code: Int32, operation: String, path: String) -> StorageError {
        let error = LMDBError(code: code)
        switch error {
        case .noSpace:
            return .diskFull(path: path)
        case .inputOutput where isNearlyFull(path):
            // LMDB reports a short write (the disk filled mid-write) as EIO.
            return .diskFull(path: path)
        default:
            return .lmdb(error, operation: operation, path: path)
        }
    }

    private static func isNearlyFull(_ path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfFileSystem(forPath: path)
        guard let free = (attributes?[.systemFreeSize] as? NSNumber)?.int64Value else { return false }
        return free < 1 << 20
    }
}
