import Dispatch
import Synchronization

/// One request handed to the write combiner. Its submitter blocks until it is `done`, or until
/// it is promoted to lead the next combined transaction.
final class CombinedWrite: @unchecked Sendable {
    enum Role { case waiting, leading, done }

    /// Applies the request inside the shared transaction; throws only what must abort the
    /// whole transaction (a full map), and keeps the request's own outcome to itself.
    let apply: (borrowing LMDBTransaction) throws -> Void
    /// Set when the combined transaction could not commit or sync.
    var commitFailure: (any Error)?
    // `role` is written under the combiner's lock; `wake` publishes it to the submitter.
    var role = Role.waiting
    let wake = DispatchSemaphore(value: 0)

    init(apply: @escaping (borrowing LMDBTransaction) throws -> Void) {
        self.apply = apply
    }
}

/// Combines concurrent writes to one environment into one transaction and one sync, in arrival
/// order (group commit). The first writer to arrive leads: it takes everything queued, commits
/// it, hands the lead to the next waiter and only then syncs, so the next group's commit
/// overlaps this group's fsync. Each request is acknowledged after the sync that covers it.
final class WriteCombiner: Sendable {
    private struct Queue {
        var waiting: [CombinedWrite] = []
        var leaderActive = false
    }

    /// Bounds one transaction, so a burst does not make its first writer wait for all of it.
    static let maximumGroup = 256
    private let queue = Mutex(Queue())
    let groupsCommitted = Atomic<UInt64>(0)
    let requestsCommitted = Atomic<UInt64>(0)

    /// Runs `write` in a combined transaction: `commit` commits a group, `sync` makes it durable.
    func submit(
        _ write: CombinedWrite,
        commit: ([CombinedWrite]) throws -> Void,
        sync: () throws -> Void
    ) {
        let leads = queue.withLock { queue -> Bool in
            queue.waiting.append(write)
            guard !queue.leaderActive else { return false }
            queue.leaderActive = true
            return true
        }
        if !leads {
            write.wake.wait()
            guard queue.withLock({ _ in write.role }) == .leading else { return }
        }
        lead(commit: commit, sync: sync)
    }

    private func lead(commit: ([CombinedWrite]) throws -> Void, sync: () throws -> Void) {
        let group = queue.withLock { queue -> [CombinedWrite] in
            let taken = Array(queue.waiting.prefix(Self.maximumGroup))
            queue.waiting.removeFirst(taken.count)
            return taken
        }
        var failure: (any Error)?
        do {
            try commit(group)
            groupsCommitted.add(1, ordering: .relaxed)
            requestsCommitted.add(UInt64(group.count), ordering: .relaxed)
        } catch {
            failure = error
        }
        handOver()
        if failure == nil {
            do { try sync() } catch { failure = error }
        }
        let finished = queue.withLock { _ in
            group.map { write in
                write.commitFailure = failure
                write.role = .done
                return write.wake
            }
        }
        finished.forEach { $0.signal() }
    }

    /// Promotes the oldest waiter to lead the next group, or ends the lead when none waits.
    private func handOver() {
        let next = queue.withLock { queue -> CombinedWrite? in
            guard let first = queue.waiting.first else {
                queue.leaderActive = false
                return nil
            }
            first.role = .leading
            return first
        }
        next?.wake.signal()
    }
}
