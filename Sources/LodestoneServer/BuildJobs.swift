import Foundation
import Lifecycle
import Synchronization

/// Builds started over HTTP: each runs on its own thread (it is CPU-bound for minutes and
/// must not hold a thread of the request pool), reports progress, and can be cancelled.
public final class BuildJobs: Sendable {
    struct Job {
        let cancellation: BuildCancellation
        var progress: BuildProgress?
    }

    private let jobs = Mutex<[String: Job]>([:])

    public init() {}

    /// Begins build `record` and runs it in the background.
    func start(_ record: BuildRecord, runner: BuildRunner, onFinish: @escaping @Sendable (BuildRecord) -> Void) {
        let cancellation = BuildCancellation()
        let key = record.id
        jobs.withLock { $0[key] = Job(cancellation: cancellation) }
        let thread = Thread { [self] in
            let finished = try? runner.run(record, cancellation: cancellation) { progress in
                self.jobs.withLock { $0[key]?.progress = progress }
            }
            self.jobs.withLock { _ = $0.removeValue(forKey: key) }
            if let finished { onFinish(finished) }
        }
        thread.name = "build \(key)"
        thread.start()
    }

    func progress(of id: String) -> BuildProgress? { jobs.withLock { $0[id]?.progress } }

    /// Cancels a running build; false when none runs under that id.
    func cancel(_ id: String) -> Bool {
        jobs.withLock { $0[id] }.map { $0.cancellation.cancel() } != nil
    }
}

/// Runs blocking work (gates, index loads) on a global queue, off the request threads.
func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

