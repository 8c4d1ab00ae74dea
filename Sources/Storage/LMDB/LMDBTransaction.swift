import CLMDB

/// What a transaction and its cursors share: where errors come from, and the first error that
/// left a write transaction unusable, so `write` aborts it (and grows the map on
/// MDB_MAP_FULL) even when the closure caught and dropped the thrown error.
final class TransactionContext {
    let environmentPath: String
    let isWritable: Bool
    var failure: LMDBError?

    init(environmentPath: String, isWritable: Bool) {
        self.environmentPath = environmentPath
        self.isWritable = isWritable
    }

    func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        guard code != 0 else { return }
        let error = LMDBError(code: code)
        if isWritable, error != .notFound, error != .keyExists, failure == nil {
            failure = error
        }
        throw StorageError.lmdb(code: code, operation: operation(), path: environmentPath)
    }
}

/// A transaction lent to a `read` or `write` closure. Non-copyable and borrowed, so it cannot
/// outlive the closure; values come out as copies or through closures that end before it does.
public struct LMDBTransaction: ~Copyable {
    let pointer: OpaquePointer
    let context: TransactionContext

    public var isWritable: Bool { context.isWritable }

    func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        try context.check(code, operation())
    }

    func requireWritable(_ operation: StaticString) {
        precondition(isWritable, "\(operation) needs a write transaction")
    }

    // MARK: Reading

    /// Lends the stored value to `body` without copying; the bytes are valid only inside it.
    public func withValue<Result>(
        forKey key: [UInt8],
        in database: LMDBDatabase,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result? {
        var value = MDB_val()
        let code = key.withMDBValue { keyValue in
            mdb_get(pointer, database.handle, &keyValue, &value)
        }
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_get(\(database.name))")
        return try body(value.bytes)
    }

    public func value(forKey key: [UInt8], in database: LMDBDatabase) throws -> [UInt8]? {
        try withValue(forKey: key, in: database) { Array($0) }
    }

    public func contains(key: [UInt8], in database: LMDBDatabase) throws -> Bool {
        try withValue(forKey: key, in: database) { _ in true } ?? false
    }

    /// Number of entries (key/value pairs, duplicates counted) in a database.
    public func entryCount(in database: LMDBDatabase) throws -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(pointer, database.handle, &stat), "mdb_stat(\(database.name))")
        return stat.ms_entries
    }

    // MARK: Writing

    /// Stores `value` under `key`. With `.noOverwrite` (or `.noDuplicateData`) returns false,
    /// writing nothing, when the key (or pair) is already there.
    @discardableResult
    public func put(_ value: [UInt8], forKey key: [UInt8], in database: LMDBDatabase, options: PutOptions = []) throws -> Bool {
        requireWritable("put")
        let code = key.withMDBValue { keyValue in
            value.withMDBValue { dataValue in
                mdb_put(pointer, database.handle, &keyValue, &dataValue, options.rawValue)
            }
        }
        if code == MDB_KEYEXIST, !options.isDisjoint(with: [.noOverwrite, .noDuplicateData]) {
            return false
        }
        try check(code, "mdb_put(\(database.name))")
        return true
    }

    /// Removes the key (every duplicate of it). Returns false if it was absent.
    @discardableResult
    public func delete(key: [UInt8], in database: LMDBDatabase) throws -> Bool {
        requireWritable("delete")
        let code = key.withMDBValue { keyValue in
            mdb_del(pointer, database.handle, &keyValue, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try check(code, "mdb_del(\(database.name))")
        return true
    }

    /// Removes one key/value pair of a DUPSORT database. Returns false if it was absent.
    @discardableResult
    public func delete(key: [UInt8], value: [UInt8], in database: LMDBDatabase) throws -> Bool {
        requireWritable("delete")
        let code = key.withMDBValue { keyValue in
            value.withMDBValue { dataValue in
                mdb_del(pointer, database.handle, &keyValue, &dataValue)
            }
        }
        if code == MDB_NOTFOUND { return false }
        try check(code, "mdb_del(\(database.name))")
        return true
    }

    public struct PutOptions: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let noOverwrite = PutOptions(rawValue: UInt32(MDB_NOOVERWRITE))
        public static let noDuplicateData = PutOptions(rawValue: UInt32(MDB_NODUPDATA))
        /// Keys arrive in increasing order: LMDB appends without searching.
        public static let append = PutOptions(rawValue: UInt32(MDB_APPEND))
    }
}

extension MDB_val {
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mv_data, count: mv_size)
    }
}

extension Array where Element == UInt8 {
    /// LMDB takes non-const pointers but does not write through them for keys and put data.
    func withMDBValue<Result>(_ body: (inout MDB_val) throws -> Result) rethrows -> Result {
        try withUnsafeBytes { buffer in
            var value = MDB_val(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            return try body(&value)
        }
    }
}
