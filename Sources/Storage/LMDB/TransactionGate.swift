import Foundation

/// Shared/exclusive gate around every LMDB transaction of one environment.
///
/// `mdb_env_set_mapsize` may only run while this process has no transaction open, so every
/// transaction holds the gate shared and map growth takes it exclusive. A pending exclusive
/// request stops new shared holders, so a stream of readers cannot starve the growth.
final class TransactionGate: @unchecked Sendable {
    // @unchecked: `activeHolders` and `exclusiveRequested` are only touched under `condition`.
    private let condition = NSCondition()
    private var activeHolders = 0
    private var exclusiveRequested = false

    func withShared<Result>(_ body: () throws -> Result) rethrows -> Result {
        condition.lock()
        while exclusiveRequested {
            condition.wait()
        }
        activeHolders += 1
        condition.unlock()
        defer {
            condition.lock()
            activeHolders -= 1
            if activeHolders == 0 {
                condition.broadcast()
            }
            condition.unlock()
        }
        return try body()
    }

    func withExclusive<Result>(_ body: () throws -> Result) rethrows -> Result {
        condition.lock()
        while exclusiveRequested {
            condition.wait()
        }
        exclusiveRequested = true
        while activeHolders > 0 {
            condition.wait()
        }
        condition.unlock()
        defer {
            condition.lock()
            exclusiveRequested = false
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}
