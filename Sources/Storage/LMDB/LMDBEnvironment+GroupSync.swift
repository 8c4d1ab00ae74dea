import CLMDB
import Foundation
import Synchronization

/// Group commit: with syncs deferred, a commit no longer waits for its own fsync; instead each
/// writer waits for one sync that started after its commit, and a sync covers every commit
/// before it. Concurrent writers therefore share one fsync, and each is acknowledged only once
/// its data is on disk, so an acknowledged write still survives kill -9 and power loss.
final class SyncGroup: Sendable {
    private struct State {
        var started: UInt64 = 0
        var completed: UInt64 = 0
        var syncing = false
    }

    private let state = Mutex(State())
    private let changed = NSCondition()

    /// Returns once a sync that began after this call finished; runs it when none is running.
    func sync(_ flush: () throws -> Void) throws {
        changed.lock()
        defer { changed.unlock() }
        // A sync running now may have begun before the caller's commit: wait for the next one.
        let target = state.withLock { $0.started + 1 }
        while state.withLock({ $0.completed < target }) {
            if state.withLock({ $0.syncing }) {
                changed.wait()
                continue
            }
            let generation = state.withLock { state -> UInt64 in
                state.syncing = true
                state.started += 1
                return state.started
            }
            changed.unlock()
            let outcome = Result { try flush() }
            changed.lock()
            state.withLock { state in
                state.syncing = false
                if case .success = outcome { state.completed = max(state.completed, generation) }
            }
            changed.broadcast()
            try outcome.get()
        }
    }
}

extension LMDBEnvironment {
    /// From now on commits in this process do not fsync themselves; `write` syncs in groups.
    /// For a server, where many writers commit at once; tools keep one sync per commit.
    public func deferSyncs() throws {
        try checkEnvironment(mdb_env_set_flags(handle, UInt32(MDB_NOSYNC), 1), "mdb_env_set_flags(NOSYNC)")
        syncDeferral.store(true, ordering: .releasing)
    }

    var syncsAreDeferred: Bool { syncDeferral.load(ordering: .acquiring) }

    /// Flushes every committed transaction to disk, sharing the fsync with concurrent callers.
    func syncCommitted() throws {
        try syncGroup.sync {
            try checkEnvironment(mdb_env_sync(handle, 1), "mdb_env_sync")
        }
    }
}
