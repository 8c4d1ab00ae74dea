import Synchronization
import Storage

extension ServingCollection {
    /// The oldest change-log position anything that replays the log still needs: the stored
    /// image of the serving index (and of the collection's original index, a rollback target
    /// while a build serves), and every build that is not failed (building, ready, shadow,
    /// canary, retired ones a rollback may return to) at the position its stored index reflects.
    /// Nil when one of them has no stored position yet: nothing may be dropped.
    func oldestNeededChange() throws -> UInt64? {
        var needed = [persistedSequence.load(ordering: .acquiring)]
        if servingBuild > 0 {
            guard let header = try store.blobs.prefix(name: Self.indexBlobName, count: ServingIndexImage.headerSize),
                  let original = try? ServingIndexImage.sequence(inHeader: header) else { return nil }
            needed.append(original)
        }
        if let context {
            for build in try context.builds.builds(of: name) where build.status != .failed {
                needed.append(build.status == .building ? build.fromSequence : build.appliedSequence)
            }
        }
        guard let oldest = needed.min(), oldest > 0 else { return nil }
        return oldest
    }

    /// Drops the change-log entries every follower has passed, so the log does not grow
    /// without bound; returns how many were dropped.
    @discardableResult
    public func truncateChangeLog() throws -> Int {
        try changeLogRetainers.withLock { retainers in
            guard retainers == 0, let oldest = try oldestNeededChange() else { return 0 }
            return try store.truncateChanges(through: oldest)
        }
    }

    /// Runs `body` with the change log kept whole. A snapshot copies the builds' environments
    /// before the collection's: without this, a truncation between the copies could drop
    /// changes the copied (older) build images still need to catch up.
    func retainingChangeLog<T>(_ body: () throws -> T) rethrows -> T {
        changeLogRetainers.withLock { $0 += 1 }
        defer { changeLogRetainers.withLock { $0 -= 1 } }
        return try body()
    }

    /// How many entries the change log holds now.
    public var changeLogEntries: Int { (try? store.changeLogExtent().entries) ?? 0 }
}
