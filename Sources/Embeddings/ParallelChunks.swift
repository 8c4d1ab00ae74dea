import Dispatch
import Foundation

/// Splits element-wise and attention work across the machine's cores.
///
/// The large matrix products are already multi-threaded inside OpenBLAS,
/// but the per-head attention products are too small for it to thread, and
/// GELU and softmax are ours; run on one thread they left the other cores
/// idle for a noticeable share of every layer.
enum ParallelChunks {
    static let workerCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16))

    /// Calls `body(worker, range)` once per worker with disjoint,
    /// consecutive parts of `0..<count` and worker indices below
    /// `workerCount`, or once with everything (worker 0) when the work is
    /// too small to be worth a thread hand-off.
    static func run(count: Int, minimumPerWorker: Int, _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
        let workers = min(workerCount, count / max(minimumPerWorker, 1))
        guard workers > 1 else {
            body(0, 0..<count)
            return
        }
        // `body` is not Sendable (callers capture the workspace's raw
        // pointers), but handing it to the workers is safe: each worker gets
        // a disjoint range, and concurrentPerform returns only after every
        // worker has finished, so nothing outlives this call.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendableClosure(body: body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                shared.body(worker, (count * worker / workers)..<(count * (worker + 1) / workers))
            }
        }
    }

    private struct UncheckedSendableClosure: @unchecked Sendable {
        let body: (Int, Range<Int>) -> Void
    }
}
