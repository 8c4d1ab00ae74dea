import Foundation
import Lifecycle
import Synchronization

/// Follows the catalog in the background: swaps in builds another process promoted, applies
/// writes other processes logged, and keeps ready builds current with the change log.
public final class CatalogFollower: Sendable {
    private let running = Atomic<Bool>(true)
    private let engine: Engine
    private let interval: Duration
    private let buildFollowEvery: Int

    public init(engine: Engine, interval: Duration = .milliseconds(500), buildFollowEvery: Int = 20) {
        self.engine = engine
        self.interval = interval
        self.buildFollowEvery = buildFollowEvery
    }

    public func start(onError: @escaping @Sendable (any Error) -> Void) {
        let thread = Thread { [self] in
            var tick = 0
            while running.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: interval.seconds)
                tick += 1
                do {
                    try engine.followCatalog()
                    if tick % buildFollowEvery == 0 { try engine.followReadyBuilds() }
                    if tick % (buildFollowEvery * 6) == 0 { for serving in engine.openCollections { try serving.persistQueryLog() } }
                } catch {
                    onError(error)
                }
            }
        }
        thread.name = "catalog follower"
        thread.start()
    }

    public func stop() { running.store(false, ordering: .releasing) }
}
