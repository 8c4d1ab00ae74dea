import Synchronization

/// Where a combined request's result waits for its submitter.
private final class CombinedOutcome<Result>: @unchecked Sendable {
    var result: Swift.Result<Result, any Error>?
}

extension LMDBEnvironment {
    /// From now on `combinedWrite` shares one transaction and one sync among concurrent callers.
    /// Implies deferred syncs: combining commits without sharing their fsync would buy little.
    public func combineWrites() throws {
        try deferSyncs()
        writeCombining.store(true, ordering: .releasing)
    }

    /// How many combined transactions committed, holding how many requests: their ratio is
    /// the mean group size.
    public var combinedWriteCounts: (transactions: UInt64, requests: UInt64) {
        (combiner.groupsCommitted.load(ordering: .relaxed), combiner.requestsCommitted.load(ordering: .relaxed))
    }

    /// Like `write`, but concurrent callers' bodies run one after another, in arrival order, in
    /// one transaction, each in its own child transaction: a body that throws undoes only its
    /// own writes and gets its own error. Returns once the transaction holding `body`'s writes
    /// is committed and on disk. `body` may run more than once (map growth), on another thread,
    /// while the caller waits; it must have no effects outside the transaction.
    public func combinedWrite<Result>(_ body: @escaping (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        guard writeCombining.load(ordering: .acquiring) else { return try write(body) }
        let outcome = CombinedOutcome<Result>()
        let request = CombinedWrite { transaction in
            do {
                outcome.result = .success(try transaction.nested(body))
            } catch {
                if transaction.context.failure == .mapFull { throw error }
                outcome.result = .failure(error)
            }
        }
        combiner.submit(
            request,
            commit: { group in
                try commit { transaction in
                    for request in group { try request.apply(transaction) }
                }
            },
            sync: { try syncCommitted() }
        )
        if let failure = request.commitFailure { throw failure }
        guard let result = outcome.result else { preconditionFailure("a committed group skipped a request") }
        return try result.get()
    }
}
