import Foundation
import Storage
import Synchronization

/// Everything a process serves from one data directory: the store and its open collections.
public final class Engine: Sendable {
    public let store: Store
    public let dataDirectory: URL
    let open = Mutex<[String: ServingCollection]>([:])
    /// Opening loads or rebuilds an index: one at a time, so two first requests for the same
    /// collection do not both rebuild it.
    let opening = NSLock()
    /// Collections named by `openAll` that are not open yet, and those that failed to open.
    let loading = Mutex<(pending: [String], failed: [String: String])>(([], [:]))
    /// One snapshot recovery at a time: each replaces a collection, perhaps the same one.
    let recovering = NSLock()
    private let buildThreads: Int
    private let indexBacklogLimit: Int
    public let aliases: AliasTable
    public let lifecycle: LifecycleContext

    public init(dataDirectory: URL, options: Store.Options = Store.Options(),
                buildThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
                indexBacklogLimit: Int = ServingCollection.defaultIndexBacklogLimit) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        self.dataDirectory = dataDirectory
        self.store = try Store(directory: dataDirectory, options: options)
        self.buildThreads = buildThreads
        self.indexBacklogLimit = indexBacklogLimit
        self.aliases = try AliasTable(store: store)
        self.lifecycle = try LifecycleContext(store: store)
    }

    /// The collection an alias points to, or `name` itself.
    public func resolve(_ name: String) throws -> String {
        try aliases.collection(forAlias: name) ?? name
    }

    public func collectionExists(_ name: String) throws -> Bool {
        try store.collectionNames().contains(name)
    }

    public func collectionNames() throws -> [String] { try store.collectionNames() }

    public func createCollection(_ schema: CollectionSchema) throws -> ServingCollection {
        let collectionStore = try store.createCollection(schema)
        let serving = try ServingCollection(store: collectionStore, context: lifecycle, threads: buildThreads,
                                            indexBacklogLimit: indexBacklogLimit)
        open.withLock { $0[schema.name] = serving }
        return serving
    }

    /// The serving collection `name`, opened (index loaded or rebuilt) on first use.
    public func collection(named name: String,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ServingCollection {
        if let serving = open.withLock({ $0[name] }) { return serving }
        opening.lock()
        defer { opening.unlock() }
        if let serving = open.withLock({ $0[name] }) { return serving }
        // A collection that failed at start is not retried per request (a rebuild per request
        // would stall the server); it is reported until it is restored or deleted.
        if let reason = loading.withLock({ $0.failed[name] }) { throw LifecycleError.collectionUnavailable(name: name, reason: reason) }
        let collectionStore = try store.collection(named: name)
        let serving = try ServingCollection(store: collectionStore, context: lifecycle, threads: buildThreads,
                                            indexBacklogLimit: indexBacklogLimit, progress: progress)
        open.withLock { $0[name] = serving }
        return serving
    }

    /// Opens every stored collection, smallest first, so a server is ready for all of them
    /// before the first request; `loadingState` tells who is still waiting meanwhile. A
    /// collection that fails to open is recorded with its error and the others go on.
    public func openAll(onOpened: ((ServingCollection, Duration) -> Void)? = nil) {
        let unopened = ((try? collectionNames()) ?? []).filter { openCollection(named: $0) == nil }
        let sizes = Dictionary(uniqueKeysWithValues: unopened.map { ($0, (try? store.collection(named: $0).count()) ?? 0) })
        let names = unopened.sorted { sizes[$0]! < sizes[$1]! }
        loading.withLock { $0.pending = names }
        for name in names {
            do {
                let start = ContinuousClock.now
                let serving = try collection(named: name)
                onOpened?(serving, ContinuousClock.now - start)
                loading.withLock { $0.pending.removeAll { $0 == name } }
            } catch {
                loading.withLock { state in
                    state.pending.removeAll { $0 == name }
                    state.failed[name] = "\(error)"
                }
            }
        }
    }

    /// Collections `openAll` has still to open, and those it could not open (with the error).
    public var loadingState: (pending: [String], failed: [String: String]) { loading.withLock { $0 } }

    /// Adds a payload index to a collection, filled from every stored point.
    public func addPayloadIndex(collection: String, field: String, type: PayloadIndexType) throws {
        _ = try store.addPayloadIndex(collection: collection, field: field, type: type)
    }

    /// Drops a payload index; filters on the field then read payloads instead.
    public func dropPayloadIndex(collection: String, field: String) throws {
        _ = try store.dropPayloadIndex(collection: collection, field: field)
    }

    /// Deletes a collection; false when there was none.
    @discardableResult
    public func deleteCollection(named name: String) throws -> Bool {
        guard try store.collectionNames().contains(name) else { return false }
        open.withLock { _ = $0.removeValue(forKey: name) }
        try store.deleteCollection(named: name)
        loading.withLock { _ = $0.failed.removeValue(forKey: name) }
        try aliases.removeAliases(of: name)
        for build in try lifecycle.builds.builds(of: name) { try store.deleteBuild(id: build.id) }
        try lifecycle.builds.removeAll(of: name)
        try lifecycle.serving.remove(name)
        try lifecycle.policies.remove(name)
        return true
    }

    /// The collections opened so far (opening one loads or rebuilds its index, so observers
    /// such as metrics look only at these).
    public var openCollections: [ServingCollection] { open.withLock { Array($0.values) } }

    /// The open collection `name`, if this process has it open.
    public func openCollection(named name: String) -> ServingCollection? { open.withLock { $0[name] } }

    /// Promotes a build through the gates; an open collection swaps its index in place.
    public func promote(collection: String, build: Int, actor: String, force: Bool = false, reason: String? = nil,
                        progress: (@Sendable (String) -> Void)? = nil) throws -> PromotionOutcome {
        try Promoter(context: lifecycle).promote(collection: collection, build: build, actor: actor, force: force, reason: reason,
                                                 live: openCollection(named: collection), progress: progress)
    }

    public func rollback(collection: String, actor: String, reason: String? = nil) throws -> AuditEntry {
        try Promoter(context: lifecycle).rollback(collection: collection, actor: actor, reason: reason,
                                                  live: openCollection(named: collection))
    }

    /// Brings open collections in line with the catalog (a promotion or writes by another
    /// process); returns the names of the collections whose serving build changed.
    /// One collection that cannot follow does not hold back the others: its error is thrown
    /// after every collection had its turn.
    @discardableResult
    public func followCatalog() throws -> [String] {
        var switched: [String] = []
        var failure: (any Error)?
        for serving in openCollections {
            let before = serving.servingBuild
            do { try serving.follow() } catch { failure = failure ?? error }
            if serving.servingBuild != before { switched.append(serving.name) }
        }
        if let failure { throw failure }
        return switched
    }

    /// Catches ready, non-serving builds of open collections up with the change log.
    @discardableResult
    public func followReadyBuilds() throws -> [Int] {
        try openCollections.flatMap { try followReadyBuilds(of: $0.name) }
    }

    @discardableResult
    public func followReadyBuilds(of collection: String) throws -> [Int] {
        try BuildFollowing(context: lifecycle).follow(collection: collection)
    }

    /// Stores the index image of every open collection that changed since it was last stored.
    public func persistIndexes() throws {
        for serving in openCollections {
            if serving.changesSincePersist > 0 { try serving.persistIndex() }
            try serving.persistQueryLog()
        }
    }
}
