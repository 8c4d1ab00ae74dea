import CLMDB

extension LMDBTransaction {
    /// Runs `body` in a child transaction: its writes join this transaction when it returns and
    /// vanish when it throws, while this transaction stays usable. That is what lets several
    /// independent requests share one commit without one bad request undoing the others.
    ///
    /// A child that fills the map marks this transaction as failed with `mapFull`, so the
    /// enclosing `write` grows the map and runs again from the start.
    func nested<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        requireWritable("nested")
        var childPointer: OpaquePointer?
        try check(mdb_txn_begin(mdb_txn_env(pointer), pointer, 0, &childPointer), "mdb_txn_begin(nested)")
        guard let childPointer else { preconditionFailure("mdb_txn_begin succeeded without a transaction") }
        let childContext = TransactionContext(environmentPath: context.environmentPath, isWritable: true)
        let child = LMDBTransaction(pointer: childPointer, context: childContext)
        let result: Result
        do {
            result = try body(child)
        } catch {
            mdb_txn_abort(childPointer)
            if childContext.failure == .mapFull { context.failure = .mapFull }
            throw error
        }
        if let failure = childContext.failure {
            mdb_txn_abort(childPointer)
            if failure == .mapFull { context.failure = .mapFull }
            throw StorageError.lmdb(code: failure.code, operation: "nested write transaction", path: context.environmentPath)
        }
        let code = mdb_txn_commit(childPointer)
        if code == MDB_MAP_FULL { context.failure = .mapFull }
        try check(code, "mdb_txn_commit(nested)")
        return result
    }
}
