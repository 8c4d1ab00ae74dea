import Foundation
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

    /// An image of a large collection takes seconds; waiting this many times as long as the
    /// last one took before the next keeps images under a tenth of the time, however fast
    /// the writes arrive.
    static let dutyCycleFactor = 10

    public func start(onStored: @escaping @Sendable (String, UInt64, Duration) -> Void, onError: @escaping @Sendable (String, any Error) -> Void) {
        let thread = Thread { [self] in
            var lastStored: [String: (at: ContinuousClock.Instant, took: Duration)] = [:]
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
                        try serving.persistIndex()
                        let took = ContinuousClock.now - now
                        lastStored[serving.name] = (ContinuousClock.now, took)
                        // With the image stored, the entries before it may be needed by nobody.
                        try serving.truncateChangeLog()
                        onStored(serving.name, pending, took)
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
