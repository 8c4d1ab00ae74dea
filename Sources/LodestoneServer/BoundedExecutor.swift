import Dispatch
import Foundation
import Synchronization

/// Why a job did not run.
enum ExecutorRefusal: Error, Sendable {
    /// The queue is full: the server is past what it can answer in reasonable time.
    case overloaded(queue: String)
    /// The job waited past its deadline (Qdrant's `timeout` parameter) before a thread took it.
    case timedOut(seconds: Double)
}

/// A fixed set of threads behind a bounded queue, for the work that blocks or burns CPU
/// (searches, LMDB commits and fsyncs, index inserts): none of it runs on NIO's event loops or
/// the Swift concurrency pool, so health checks and light routes answer under any load. A full
/// queue refuses at once (503 with Retry-After) instead of growing memory and latency.
final class BoundedExecutor: Sendable {
    private struct Job: Sendable {
        let deadline: ContinuousClock.Instant?
        let timeout: Double
        let run: @Sendable () -> Void
        let expire: @Sendable (ExecutorRefusal) -> Void
    }

    let name: String
    let capacity: Int
    private let pending = Mutex<[Job]>([])
    private let ready = DispatchSemaphore(value: 0)
    private let waiting = Atomic<Int>(0)

    init(name: String, threads: Int, capacity: Int) {
        self.name = name
        self.capacity = capacity
        for index in 0 ..< max(1, threads) {
            let thread = Thread { [self] in self.work() }
            thread.name = "lodestone-\(name)-\(index)"
            thread.start()
        }
    }

    /// Jobs queued and not yet started.
    var queued: Int { waiting.load(ordering: .relaxed) }

    /// Runs `work` on one of the threads; `timeout` seconds bound how long it may wait there.
    func run<T: Sendable>(timeout: Double? = nil, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(deadline: timeout.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }, timeout: timeout ?? 0,
                          run: { continuation.resume(with: Result { try work() }) },
                          expire: { continuation.resume(throwing: $0) })
            let accepted = pending.withLock { jobs -> Bool in
                guard jobs.count < capacity else { return false }
                jobs.append(job)
                return true
            }
            guard accepted else { return continuation.resume(throwing: ExecutorRefusal.overloaded(queue: name)) }
            waiting.add(1, ordering: .relaxed)
            ready.signal()
        }
    }

    /// Queues `work` without waiting for it; refuses at once,
    /// before anything is queued, when the queue is full, so an answer of "accepted" is true.
    func submit(_ work: @escaping @Sendable () -> Void) throws(ExecutorRefusal) {
        let job = Job(deadline: nil, timeout: 0, run: work, expire: { _ in })
        let accepted = pending.withLock { jobs -> Bool in
            guard jobs.count < capacity else { return false }
            jobs.append(job)
            return true
        }
        guard accepted else { throw ExecutorRefusal.overloaded(queue: name) }
        waiting.add(1, ordering: .relaxed)
        ready.signal()
    }

    private func work() {
        while true {
            ready.wait()
            let job = pending.withLock { jobs -> Job? in jobs.isEmpty ? nil : jobs.removeFirst() }
            guard let job else { continue }
            waiting.subtract(1, ordering: .relaxed)
            if let deadline = job.deadline, ContinuousClock.now > deadline {
                job.expire(.timedOut(seconds: job.timeout))
            } else {
                job.run()
            }
        }
    }
}
