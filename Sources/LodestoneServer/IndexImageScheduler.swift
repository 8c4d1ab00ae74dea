import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Lifecycle
import Synchronization

/// Stores serving index images in the background, then drops the change-log entries no
/// follower needs any more, every `changes` applied changes or, once
/// anything changed, every `interval`, so the replay after a crash stays bounded. Runs on its
/// own thread: taking an image is memory copying and an fsync, never work for the event loops.
public final class IndexImageScheduler: Sendable {
    private let running = Atomic<Bool>(true)
    private let engine: Engine
    private let changes: UInt64
    private let interval: Duration

    public init(engine: Engine, changes: Int, interval: Duration) {
        self.engine = engine
        self.changes = UInt64(max(changes, 1))
        self.interval = interval
    }

    /// An image of a large collection costs seconds of CPU; waiting this many times the CPU
    /// time recent images used before the next keeps images under a tenth of a core, however
    /// fast the writes arrive. The mean of the last `cpuWindow` images, not the last one alone:
    /// a full image costs ten times the deltas around it, and spacing the next delta by it
    /// alone would let the replay after a crash grow tenfold. CPU time, not wall time: under a write burst most of an image's
    /// wall time is waiting for the write gate and LMDB's writer lock, which costs nothing, and
    /// counting it spaced images 45 s apart for a 4.5 s wait (`tools/bench-restart`).
    static let dutyCycleFactor = 10
    static let cpuWindow = 8

    /// CPU time the calling thread has used.
    static func threadCPUTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }

    public func start(onStored: @escaping @Sendable (_ collection: String, _ changes: UInt64, _ image: ServingCollection.StoredImage?, _ took: Duration, _ cpu: Duration) -> Void, onError: @escaping @Sendable (String, any Error) -> Void) {
        let thread = Thread { [self] in
            var lastStored: [String: (at: ContinuousClock.Instant, took: Duration)] = [:]
            var recentCPU: [String: [Duration]] = [:]
            while running.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: min(1, interval.seconds))
                let now = ContinuousClock.now
                for serving in engine.openCollections {
                    let pending = serving.changesSincePersist
                    let last = lastStored[serving.name] ?? (now, .zero)
                    if lastStored[serving.name] == nil { lastStored[serving.name] = last }
                    let since = now - last.at
                    guard pending >= changes || (pending > 0 && since >= interval), since >= last.took * Self.dutyCycleFactor else { continue }
                    do {
                        let cpuBefore = Self.threadCPUTime()
                        let image = try serving.persistIndex()
                        let cpu = Self.threadCPUTime() - cpuBefore
                        let took = ContinuousClock.now - now
                        let recent = (recentCPU[serving.name, default: []] + [cpu]).suffix(Self.cpuWindow)
                        recentCPU[serving.name] = Array(recent)
                        lastStored[serving.name] = (ContinuousClock.now, recent.reduce(.zero, +) / recent.count)
                        // With the image stored, the entries before it may be needed by nobody.
                        try serving.truncateChangeLog()
                        onStored(serving.name, pending, image, took, cpu)
                    } catch {
                        onError(serving.name, error)
                    }
                }
            }
        }
        thread.name = "index images"
        thread.start()
    }

    public func stop() { running.store(false, ordering: .releasing) }
}
