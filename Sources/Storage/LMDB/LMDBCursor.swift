import CLMDB

/// Where to move a cursor. Duplicate-aware moves apply to DUPSORT databases only.
public enum LMDBCursorMove: Sendable {
    case first
    case last
    case next
    case previous
    /// First value of the next key, skipping the current key's remaining duplicates.
    case nextKey
    case nextDuplicate
    case firstDuplicate
    case lastDuplicate
    case current
    /// First key greater than or equal to the given key.
    case atLeast([UInt8])
    case exactly([UInt8])
    /// With duplicates: the key, at its first value greater than or equal to the given value.
    case pairAtLeast(key: [UInt8], value: [UInt8])
}

/// A copied key/value pair, safe to keep after the transaction ends.
public struct LMDBEntry: Sendable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]
}

/// A cursor lent to a `withCursor` closure; like the transaction, it cannot escape.
public struct LMDBCursor: ~Copyable {
    let pointer: OpaquePointer
    let database: LMDBDatabase
    let context: TransactionContext

    /// Moves and lends the entry it lands on to `body`; nil when there is no such entry.
    public func visit<Result>(
        _ move: LMDBCursorMove,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result? {
        var key = MDB_val()
        var value = MDB_val()
        let code: Int32
        switch move {
        case .first: code = mdb_cursor_get(pointer, &key, &value, MDB_FIRST)
        case .last: code = mdb_cursor_get(pointer, &key, &value, MDB_LAST)
        case .next: code = mdb_cursor_get(pointer, &key, &value, MDB_NEXT)
        case .previous: code = mdb_cursor_get(pointer, &key, &value, MDB_PREV)
        case .nextKey: code = mdb_cursor_get(pointer, &key, &value, MDB_NEXT_NODUP)
        case .nextDuplicate: code = mdb_cursor_get(pointer, &key, &value, MDB_NEXT_DUP)
        case .firstDuplicate: code = mdb_cursor_get(pointer, &key, &value, MDB_FIRST_DUP)
        case .lastDuplicate: code = mdb_cursor_get(pointer, &key, &value, MDB_LAST_DUP)
        case .current: code = mdb_cursor_get(pointer, &key, &value, MDB_GET_CURRENT)
        case .atLeast(let target) where target.isEmpty:
            // LMDB rejects empty keys; every key is at least the empty one.
            code = mdb_cursor_get(pointer, &key, &value, MDB_FIRST)
        case .atLeast(let target):
            code = target.withMDBValue { targetValue in
                key = targetValue
                return mdb_cursor_get(pointer, &key, &value, MDB_SET_RANGE)
            }
        case .exactly(let target):
            code = target.withMDBValue { targetValue in
                key = targetValue
                return mdb_cursor_get(pointer, &key, &value, MDB_SET_KEY)
            }
        case .pairAtLeast(let targetKey, let targetValue):
            code = targetKey.withMDBValue { keyValue in
                targetValue.withMDBValue { dataValue in
                    key = keyValue
                    value = dataValue
                    return mdb_cursor_get(pointer, &key, &value, MDB_GET_BOTH_RANGE)
                }
            }
        }
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_cursor_get(\(database.name))")
        return try body(key.bytes, value.bytes)
    }

    /// Moves and returns a copy of the entry it lands on.
    public func move(_ move: LMDBCursorMove) throws -> LMDBEntry? {
        try visit(move) { key, value in LMDBEntry(key: Array(key), value: Array(value)) }
    }

    /// Values stored under the current key (1 outside DUPSORT databases).
    public func duplicateCount() throws -> Int {
        var count = 0
        try check(mdb_cursor_count(pointer, &count), "mdb_cursor_count(\(database.name))")
        return count
    }

    /// Lends all values of `key` in page-sized batches (MDB_GET_MULTIPLE), for DUPFIXED
    /// databases whose values are packed back to back. Returns false if the key is absent.
    @discardableResult
    public func forEachDuplicateBatch(
        ofKey targetKey: [UInt8],
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Bool {
        precondition(database.flags.contains(.duplicateFixed), "batches need a DUPFIXED database")
        var key = MDB_val()
        var value = MDB_val()
        let found = targetKey.withMDBValue { keyValue in
            key = keyValue
            return mdb_cursor_get(pointer, &key, &value, MDB_SET)
        }
        if found == MDB_NOTFOUND { return false }
        try check(found, "mdb_cursor_get(SET, \(database.name))")
        var code = mdb_cursor_get(pointer, &key, &value, MDB_GET_MULTIPLE)
        while code == 0 {
            try body(value.bytes)
            code = mdb_cursor_get(pointer, &key, &value, MDB_NEXT_MULTIPLE)
        }
        if code != MDB_NOTFOUND {
            try check(code, "mdb_cursor_get(MULTIPLE, \(database.name))")
        }
        return true
    }

    private func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        try context.check(code, operation())
    }
}

extension LMDBTransaction {
    public func withCursor<Result>(
        on database: LMDBDatabase,
        _ body: (borrowing LMDBCursor) throws -> Result
    ) throws -> Result {
        var cursorPointer: OpaquePointer?
        try check(mdb_cursor_open(pointer, database.handle, &cursorPointer), "mdb_cursor_open(\(database.name))")
        guard let cursorPointer else { preconditionFailure("mdb_cursor_open succeeded without a cursor") }
        defer { mdb_cursor_close(cursorPointer) }
        let cursor = LMDBCursor(pointer: cursorPointer, database: database, context: context)
        return try body(cursor)
    }

    /// Visits entries in key order, from `start` (or the first key), while `body` returns true.
    /// Keys and values are copies.
    public func forEach(
        in database: LMDBDatabase,
        from start: [UInt8]? = nil,
        _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool
    ) throws {
        try withCursor(on: database) { cursor in
            var entry = try cursor.move(start.map { .atLeast($0) } ?? .first)
            while let current = entry, try body(current.key, current.value) {
                entry = try cursor.move(.next)
            }
        }
    }

    /// Visits, in key order, the entries whose key starts with `prefix`, while `body` returns true.
    public func forEach(
        in database: LMDBDatabase,
        withPrefix prefix: [UInt8],
        _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool
    ) throws {
        try forEach(in: database, from: prefix) { key, value in
            guard key.starts(with: prefix) else { return false }
            return try body(key, value)
        }
    }
}

extension LMDBTransaction {
    /// Visits keys only (copied), in order from `start`, while `body` returns true.
    public func forEachKey(
        in database: LMDBDatabase,
        from start: [UInt8]? = nil,
        _ body: (_ key: [UInt8]) throws -> Bool
    ) throws {
        try withCursor(on: database) { cursor in
            var key = try cursor.visit(start.map { .atLeast($0) } ?? .first) { key, _ in Array(key) }
            while let current = key, try body(current) {
                key = try cursor.visit(.next) { key, _ in Array(key) }
            }
        }
    }
}
