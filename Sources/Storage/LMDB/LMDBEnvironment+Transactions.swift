import CLMDB
import Foundation

extension LMDBEnvironment {
    /// Runs `body` in a read-only snapshot. Readers never wait for the writer, only (briefly) for
    /// map growth. Do not begin a `write` inside `body`: growth would wait for this reader.
    @discardableResult
    public func read<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        while true {
            let outcome: TransactionOutcome<Result> = try gate.withShared {
                var pointer: OpaquePointer?
                let code = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &pointer)
                if code == MDB_MAP_RESIZED { return .adoptMapSize }
                try checkEnvironment(code, "mdb_txn_begin(read)")
                guard let pointer else { preconditionFailure("mdb_txn_begin succeeded without a transaction") }
                defer { mdb_txn_abort(pointer) }
                let transaction = LMDBTransaction(
                    pointer: pointer,
                    context: TransactionContext(environmentPath: path.path, isWritable: false)
                )
                return .finished(try body(transaction))
            }
            switch outcome {
            case .finished(let result): return result
            case .adoptMapSize: try adoptMapSizeOfOtherProcess()
            case .growMap: preconditionFailure("a read transaction cannot fill the map")
            }
        }
    }

    /// Runs `body` in the single write transaction and commits when it returns; a throw aborts.
    /// When the map fills, the transaction is aborted, the map doubled and `body` run again from
    /// the start, so `body` must not have effects outside the transaction.
    @discardableResult
    public func write<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        let result = try commit(body)
        // After the writer lock is released, so the writers that commit while one syncs share
        // the next sync (group commit); either way the commit is on disk when this returns.
        if syncsAreDeferred { try syncCommitted() }
        return result
    }

    /// Commits `body`'s transaction without syncing it (the caller syncs when deferred).
    func commit<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        writerLock.lock()
        defer { writerLock.unlock() }
        while true {
            let outcome: TransactionOutcome<Result> = try gate.withShared {
                var pointer: OpaquePointer?
                let code = mdb_txn_begin(handle, nil, 0, &pointer)
                if code == MDB_MAP_RESIZED { return .adoptMapSize }
                try checkEnvironment(code, "mdb_txn_begin(write)")
                guard let pointer else { preconditionFailure("mdb_txn_begin succeeded without a transaction") }
                let context = TransactionContext(environmentPath: path.path, isWritable: true)
                let transaction = LMDBTransaction(pointer: pointer, context: context)
                let result: Result
                do {
                    result = try body(transaction)
                } catch {
                    mdb_txn_abort(pointer)
                    if context.failure == .mapFull { return .growMap }
                    throw error
                }
                if let failure = context.failure {
                    // The closure swallowed an LMDB error; the transaction is unusable anyway.
                    mdb_txn_abort(pointer)
                    if failure == .mapFull { return .growMap }
                    throw StorageError.lmdb(code: failure.code, operation: "write transaction", path: path.path)
                }
                let commitCode = mdb_txn_commit(pointer)
                if commitCode == MDB_MAP_FULL { return .growMap }
                try checkEnvironment(commitCode, "mdb_txn_commit")
                return .finished(result)
            }
            switch outcome {
            case .finished(let result): return result
            case .growMap: try growMap()
            case .adoptMapSize: try adoptMapSizeOfOtherProcess()
            }
        }
    }

    /// Writes a consistent copy of the environment into `directory` (which must hold no
    /// `data.mdb`), while readers and the writer go on. `compact` drops free pages.
    public func copy(to directory: URL, compact: Bool = true) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StorageError.io(path: directory.path, reason: "cannot create directory: \(error)")
        }
        let flags = compact ? UInt32(MDB_CP_COMPACT) : 0
        // The copy runs its own read transaction, so it must hold the gate like any reader.
        try gate.withShared {
            try checkEnvironment(mdb_env_copy2(handle, directory.path, flags), "mdb_env_copy2")
        }
    }

    private func growMap() throws {
        try gate.withExclusive {
            let current = mapSize
            var target = current * 2
            if let limit = options.maximumMapSize {
                guard current < limit else {
                    throw StorageError.mapSizeLimitReached(path: path.path, limit: limit)
                }
                target = min(target, limit)
            }
            try checkEnvironment(mdb_env_set_mapsize(handle, target), "mdb_env_set_mapsize(\(target))")
        }
    }

    private func adoptMapSizeOfOtherProcess() throws {
        try gate.withExclusive {
            try checkEnvironment(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize(adopt)")
        }
    }

    func checkEnvironment(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        guard code != 0 else { return }
        throw StorageError.lmdb(code: code, operation: operation(), path: path.path)
    }
}

private enum TransactionOutcome<Result> {
    case finished(Result)
    case growMap
    case adoptMapSize
}
