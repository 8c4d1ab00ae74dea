import Dispatch
import Foundation
import Storage
import Synchronization
import VectorIndex

/// A collection as it serves: its durable store and the HNSW index kept in step with it.
///
/// Every write goes to LMDB first (one transaction: document, id map, change-log entry), then
/// the resulting change-log entries are applied to the index before the call returns, so an
/// acknowledged write is both durable and visible to search. Writes are serialised by one gate
/// so the index applies changes in log order; searches never take it.
///
/// The index is one of the collection's builds (build 0 is the index the collection was
/// created with). Promotion and rollback swap it atomically: a search runs wholly on the
/// index it started on, and no write lands between the catalog switch and the swap.
public final class ServingCollection: Sendable {
    public let name: String
    public let store: CollectionStore
    public let dimension: Int
    public let distance: Distance
    /// The schema as opened. Its vectors (names, sizes, metrics) never change after creation,
    /// so the query path reads them here; payload indexes and the model binding can change and
    /// are read from the store.
    let vectorLayout: CollectionSchema
    let context: LifecycleContext?
    let writeGate = Mutex(())
    /// One image store at a time, so the stored sequence only moves forward.
    let persistLock = Mutex(())
    /// Set while an image waits for the write gate; background catch-up steps aside for it.
    let imageWaiting = Atomic<Bool>(false)
    private let serving: Mutex<Serving>
    /// The last change-log sequence number reflected in the index.
    let appliedSequence: Atomic<UInt64>
    /// The sequence number of the index image last written to LMDB.
    let persistedSequence: Atomic<UInt64>
    /// True when opening loaded a stored index image; false when it rebuilt the graph.
    public let loadedFromImage: Bool
    /// Where the time to open went, for the server's log.
    private let opening = Mutex(OpeningReport())
    public var openingReport: OpeningReport { opening.withLock { $0 } }
    /// Sampled queries, for drift signals and recall checks.
    public let queryLog: QueryLog
    /// Shadow traffic and canary routing.
    public let monitoring: CollectionMonitoring
    /// The last drift report and the query log version it was computed from.
    let cachedDrift = Mutex<(version: Int, report: DriftReport)?>(nil)
    /// Applies `wait=false` writes to the indexes off the request path, one catch-up at a time.
    let backgroundApplier = DispatchQueue(label: "lodestone.apply", qos: .userInitiated)
    let backgroundApplyPending = Atomic<Bool>(false)
    /// Most logged changes a `wait=false` write may leave waiting for the index; past it the
    /// writer waits for the index to get back under it.
    let indexBacklogLimit: UInt64
    public static let defaultIndexBacklogLimit = 20_000
    /// How plain text queries are answered (the catalog's serving pipeline).
    let pipelineState = Mutex<ServingPipeline>(.dense)
    /// `queryLog.loggedCount` when the log was last stored.
    let persistedQueryLogCount = Atomic<Int>(0)
    /// The serving index's image chain in its store, when the index continues it: the next
    /// image may then be a delta.
    let storedChain: Mutex<StoredChain?>
    /// A non-serving build loaded for side-by-side queries (`search(_:onBuild:)`).
    let comparison = Mutex<ComparisonIndex?>(nil)
    /// Snapshots copying this collection's environments now; the change log is not truncated
    /// meanwhile (see `retainingChangeLog`).
    let changeLogRetainers = Mutex<Int>(0)

    struct StoredChain {
        /// Weak: a chain record must not keep a swapped-out index alive.
        weak var index: HNSWIndex?
        var build: Int
        var extent: IndexImageChain.Extent
        /// The change-log position of the chain's last image this process stored or loaded.
        var lastSequence: UInt64
    }

    struct Serving {
        var indexes: BuildIndexes
        var index: HNSWIndex { indexes.hnsw }
        /// 0 for the collection's original index.
        var build: Int
        var model: String?
    }

    static let indexBlobName = "serving-index"

    /// Opens the serving index: the serving build's stored image, the collection's own image,
    /// or a rebuild from the stored vectors; then replays every change logged after it.
    public init(store: CollectionStore, context: LifecycleContext? = nil,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                indexBacklogLimit: Int = ServingCollection.defaultIndexBacklogLimit,
                progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        precondition(indexBacklogLimit >= 1, "the index backlog limit is validated by the server configuration")
        self.indexBacklogLimit = UInt64(indexBacklogLimit)
        let schema = try store.schema()
        // Concurrent writes to a served collection share one transaction and one fsync (group
        // commit). To measure what each part buys, LODESTONE_GROUP_COMMIT=0 keeps one fsync per
        // commit and LODESTONE_GROUP_COMMIT=sync shares fsyncs but not transactions.
        switch ProcessInfo.processInfo.environment["LODESTONE_GROUP_COMMIT"] {
        case "0": break
        case "sync": try store.environment.deferSyncs()
        default: try store.environment.combineWrites()
        }
        self.name = schema.name
        self.store = store
        self.dimension = schema.dimension
        self.distance = schema.distance
        self.vectorLayout = schema
        self.context = context
        let servingRecord = try context?.serving.record(schema.name)
        queryLog = QueryLog(settings: servingRecord?.monitoring ?? MonitoringSettings())
        if let stored = try store.blobs.get(name: QueryLogImage.blobName) {
            // A log that cannot be read is only monitoring history: start a new one.
            try? queryLog.restore(stored)
            persistedQueryLogCount.store(queryLog.loggedCount, ordering: .releasing)
        }
        let collectionName = schema.name
        monitoring = CollectionMonitoring { settings, reason in
            // Off the query path: the abort is a catalog write.
            DispatchQueue.global().async {
                try? context?.abortCanary(collection: collectionName, settings: settings, reason: reason)
            }
        }
        let build = servingRecord?.build ?? 0
        let openStarted = ContinuousClock.now
        var report = OpeningReport()
        let opened: Serving
        let sequence: UInt64
        let blobs: BlobStore
        if build > 0, let context {
            let record = try context.builds.build(schema.name, build)
            let loaded = try context.loadIndexImages(collection: schema.name, build: build, dimension: schema.indexDimension)
            blobs = try context.store.build(id: LifecycleContext.buildID(schema.name, build)).blobs
            opened = Serving(indexes: Self.primarySet(loaded.index, schema: schema), build: build, model: record?.model ?? schema.embeddingModel)
            sequence = loaded.sequence
            loadedFromImage = true
            storedChain = Mutex(StoredChain(index: loaded.index, build: build, extent: loaded.extent, lastSequence: loaded.sequence))
            report.imageDeltas = loaded.extent.deltas
        } else if let loaded = Self.loadOwnImageOrNil(store, schema: schema, discarded: &report.discardedImage) {
            blobs = store.blobs
            opened = Serving(indexes: Self.primarySet(loaded.index, schema: schema), build: 0,
                             model: (servingRecord ?? ServingRecord(collection: schema.name)).originalModel(current: schema.embeddingModel))
            sequence = loaded.sequence
            loadedFromImage = true
            storedChain = Mutex(StoredChain(index: loaded.index, build: 0, extent: loaded.extent, lastSequence: loaded.sequence))
            report.imageDeltas = loaded.extent.deltas
        } else {
            storedChain = Mutex(nil)
            let built = try Self.buildOriginal(store: store, schema: schema, record: servingRecord, context: context, threads: threads,
                                               progress: progress)
            blobs = store.blobs
            opened = Serving(indexes: Self.primarySet(built.index, schema: schema), build: 0,
                             model: (servingRecord ?? ServingRecord(collection: schema.name)).originalModel(current: schema.embeddingModel))
            sequence = built.sequence
            loadedFromImage = false
        }
        // The other vectors' indexes come from images stored with the primary's, or are built.
        let secondary = try BuildIndexImages.load(schema: schema, sequence: sequence, from: blobs, store: store, threads: threads)
        let full = Serving(indexes: BuildIndexes(primaryName: opened.indexes.primaryName, primary: opened.indexes.primary,
                                             secondary: secondary.indexes), build: opened.build, model: opened.model)
        if let context { try context.bindSchema(collection: schema.name, to: full.model) }
        full.indexes.quantize(try context.map { try $0.reconcileQuantization(collection: schema.name) } ?? schema.quantization,
                              schema: schema, directory: store.directory)
        serving = Mutex(full)
        appliedSequence = Atomic(secondary.sequence)
        persistedSequence = Atomic(loadedFromImage ? sequence : 0)
        report.indexSeconds = (ContinuousClock.now - openStarted).seconds
        let replayStarted = ContinuousClock.now
        let replayedFrom = secondary.sequence
        try writeGate.withLock { _ in try catchUp() }
        report.replaySeconds = (ContinuousClock.now - replayStarted).seconds
        // The graph now holds every vector; the pages the open read them from need not stay mapped too.
        store.releaseResidentPages()
        full.indexes.releaseResidentVectors()
        report.replayedThrough = (replayedFrom, appliedSequence.load(ordering: .acquiring))
        opening.withLock { $0 = report }
        // Shadow and canary are optional: a collection opens even when they cannot be set up
        // (the catalog follower tries again).
        if let servingRecord { try? configureRollout(servingRecord) }
    }

    /// The collection's original index (build 0) built from the stored points: their vectors,
    /// or after a model switch their text embedded again with the original model.
    static func buildOriginal(store: CollectionStore, schema: CollectionSchema, record: ServingRecord?, context: LifecycleContext?,
                              threads: Int, progress: (@Sendable (Int, Int) -> Void)?) throws -> (index: HNSWIndex, sequence: UInt64) {
        var construction = IndexConstruction(store: store, schema: schema, parameters: schema.hnsw.indexParameters, threads: threads)
        if let context, record?.bindings.isEmpty == false, let model = record?.bindings.first?.model {
            construction.embedder = try context.models.embedder(for: model)
        }
        if let progress {
            construction.progress = { @Sendable (report: BuildProgress) in progress(report.done, report.total) }
        }
        return try construction.run()
    }

    /// A set with the primary index alone; the secondary indexes are added once loaded.
    static func primarySet(_ index: HNSWIndex, schema: CollectionSchema) -> BuildIndexes {
        BuildIndexes(primaryName: schema.primaryVectorName, primary: DenseFieldIndex(index: index, distance: schema.distance))
    }

    /// The original index from its stored image chain; nil when none is stored.
    static func loadOwnImage(_ store: CollectionStore, schema: CollectionSchema) throws -> IndexImageChain.Loaded? {
        guard let loaded = try IndexImageChain.load(from: store.blobs) else { return nil }
        guard loaded.index.dimension == schema.indexDimension, loaded.index.metric == schema.distance.metric else {
            throw LifecycleError.corruptIndexImage("image has dimension \(loaded.index.dimension) and metric \(loaded.index.metric), the collection \(schema.dimension) and \(schema.distance.metric)")
        }
        return loaded
    }

    /// The original index from its images, or nil when there are none or they cannot be used:
    /// they are only a cache of the stored points, and the caller rebuilds from those.
    static func loadOwnImageOrNil(_ store: CollectionStore, schema: CollectionSchema, discarded: inout String?) -> IndexImageChain.Loaded? {
        do {
            return try loadOwnImage(store, schema: schema)
        } catch {
            discarded = "\(error)"
            return nil
        }
    }

    func withServing<T>(_ body: (inout Serving) throws -> T) rethrows -> T {
        try serving.withLock { try body(&$0) }
    }

    /// The primary index searches use now; a search keeps the one it took even if a swap follows.
    var index: HNSWIndex { serving.withLock { $0.index } }
    /// Every index of the serving build.
    var indexes: BuildIndexes { serving.withLock { $0.indexes } }
    /// The serving build's number (0: the collection's original index).
    public var servingBuild: Int { serving.withLock { $0.build } }
    /// The model the serving index's vectors come from.
    public var servingModel: String? { serving.withLock { $0.model } }

    /// Points that search can return.
    public var liveCount: Int { index.liveCount }
    /// Vectors still in the graph but deleted (tombstones), reclaimed by the next rebuild.
    public var deletedCount: Int { index.deletedVectorCount }
    public var lastAppliedSequence: UInt64 { appliedSequence.load(ordering: .acquiring) }
    public var hnswParameters: HNSWParameters { index.parameters }

    public func schema() throws -> CollectionSchema { try store.schema() }

    /// The catch-up rule for the serving index, as of now.
    func catchUpRule() throws -> IndexCatchUp {
        let model = servingModel
        if let context { return try context.catchUp(for: store, model: model) }
        return IndexCatchUp(store: store, model: nil, bindingAt: { _ in model }, embedder: {
            throw LifecycleError.invalidRequest("no model loader")
        })
    }

    /// Applies every logged change after `appliedSequence` to the index (and to the canary and
    /// shadow indexes). Callers hold the gate.
    func catchUp() throws {
        while try catchUpPage() {}
    }

    /// Applies the next page of logged changes; false when there was none. Callers hold the
    /// gate. Long backlogs are applied page by page with the gate released in between, so an
    /// index image or a `wait=true` writer is not held up for the whole backlog.
    func catchUpPage() throws -> Bool {
        let changes = try store.changes(after: appliedSequence.load(ordering: .acquiring), limit: 4096)
        guard !changes.isEmpty else { return false }
        try apply(changes)
        return true
    }

    /// Mirrors change-log entries into the index, in order. Callers hold the gate.
    func apply(_ changes: [ChangeEntry]) throws {
        guard let last = try catchUpRule().apply(changes, to: indexes) else { return }
        appliedSequence.store(last, ordering: .releasing)
        for arm in monitoring.followingIndexes() {
            do {
                _ = try context?.catchUp(for: store, model: arm.model).apply(changes, to: arm.index)
            } catch {
                // A shadow or canary that cannot follow is dropped, never the write; the
                // catalog follower installs it again, freshly caught up.
                monitoring.drop(arm.index)
            }
        }
    }
}
