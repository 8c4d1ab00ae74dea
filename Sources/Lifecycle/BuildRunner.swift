import Foundation
import Storage
import VectorIndex

/// Builds a new, numbered index version of a collection from its stored points (re-embedding
/// their text when the build is on a model that did not embed them), catches it up on the
/// change log, stores it in its own environment and measures its recall next to production's.
public struct BuildRunner: Sendable {
    public let context: LifecycleContext
    public var threads: Int
    /// Held-out queries for the recall check.
    public var recallQueries = 200
    public var recallK = 10
    /// The serving collection, when it is open in this process: the recall check then compares
    /// with its index in memory and uses its logged queries.
    public var live: ServingCollection?

    public init(context: LifecycleContext, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.context = context
        self.threads = threads
    }

    public init(store: Store, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        self.init(context: try LifecycleContext(store: store), threads: threads)
    }

    public var catalog: BuildCatalog { context.builds }

    /// Records build `number` as `building` and returns it; run it with `run(_:)`. Without a
    /// `quantization` the build serves with the collection's setting at the time it is switched
    /// to (so a build begun before a `PATCH` is promoted does not undo it).
    public func begin(collection name: String, model: String? = nil, parameters: HNSWParameters? = nil,
                      quantization: BuildQuantization? = nil) throws -> BuildRecord {
        let collection = try context.store.collection(named: name)
        let schema = try collection.schema()
        guard schema.hasDenseVector else {
            throw LifecycleError.invalidRequest("builds re-index a collection's dense vector; `\(name)` holds sparse vectors only")
        }
        let settings = parameters ?? schema.hnsw.indexParameters
        try settings.validate()
        let buildModel = model ?? schema.embeddingModel
        if let model {
            let record = try context.models.registry.model(model)
            guard record.dimension == schema.dimension else {
                throw LifecycleError.invalidRequest("model \(model) makes \(record.dimension)-dimensional vectors; collection `\(name)` holds \(schema.dimension)")
            }
        }
        if let problem = quantization?.settings?.problem() { throw LifecycleError.invalidRequest("quantization: \(problem)") }
        return try catalog.begin(collection: name) { number in
            var record = BuildRecord(collection: name, number: number, model: buildModel, m: settings.m, efConstruction: settings.efConstruction,
                                     ef: settings.ef, fromSequence: 0, appliedSequence: 0, status: .building, startedAt: Date(), points: 0)
            record.quantization = quantization
            return record
        }
    }

    /// The HNSW parameters the serving build was built with; nil for build 0, whose are the
    /// collection's own. A build that changes only the codes (a collection update) or rebuilds
    /// what serves (a policy) keeps them: a promoted `m` or `ef` must not fall back silently.
    public func servingParameters(collection name: String) throws -> HNSWParameters? {
        guard let number = try context.serving.record(name).build, number != 0,
              let record = try context.builds.build(name, number) else { return nil }
        return HNSWParameters(m: record.m, efConstruction: record.efConstruction, ef: record.ef)
    }

    /// Begins a build with the collection's HNSW settings, each overridable.
    public func begin(collection name: String, model: String?, m: Int?, efConstruction: Int?, ef: Int?,
                      quantization: BuildQuantization? = nil) throws -> BuildRecord {
        let hnsw = try context.store.collection(named: name).schema().hnsw
        return try begin(collection: name, model: model, parameters: HNSWParameters(
            m: m ?? hnsw.m, efConstruction: efConstruction ?? hnsw.efConstruction, ef: ef ?? hnsw.ef), quantization: quantization)
    }

    /// Begins and runs a build.
    public func run(collection name: String, model: String? = nil, parameters: HNSWParameters? = nil,
                    cancellation: BuildCancellation? = nil,
                    progress: (@Sendable (BuildProgress) -> Void)? = nil) throws -> BuildRecord {
        try run(begin(collection: name, model: model, parameters: parameters), cancellation: cancellation, progress: progress)
    }

    /// Runs a begun build to `ready` (or `failed`, with the reason recorded), then retires
    /// builds beyond the collection's retention.
    public func run(_ begun: BuildRecord, cancellation: BuildCancellation? = nil,
                    progress: (@Sendable (BuildProgress) -> Void)? = nil) throws -> BuildRecord {
        var record = begun
        do {
            let collection = try context.store.collection(named: record.collection)
            let schema = try collection.schema()
            let parameters = HNSWParameters(m: record.m, efConstruction: record.efConstruction, ef: record.ef)
            let rule = try context.catchUp(for: collection, model: record.model)
            let start = ContinuousClock.now
            var construction = IndexConstruction(store: collection, schema: schema, parameters: parameters, threads: threads,
                                                 progress: progress, cancellation: cancellation)
            // Stored vectors serve unless another model embedded some of them.
            if rule.model != nil, let model = record.model { construction.embedder = try context.models.embedder(for: model) }
            let (index, primarySequence) = try construction.run()
            collection.releaseResidentPages()
            // One build holds an index per vector name, all brought to one log position below.
            let secondary = try BuildIndexes.buildSecondary(store: collection, schema: schema, threads: threads)
            let set = BuildIndexes(primaryName: schema.primaryVectorName, primary: DenseFieldIndex(index: index, distance: schema.distance),
                               secondary: secondary.indexes)
            let sequence = min(primarySequence, secondary.sequence ?? primarySequence)
            record.fromSequence = sequence
            record.buildSeconds = (ContinuousClock.now - start).seconds
            let catchUpStart = ContinuousClock.now
            progress?(BuildProgress(phase: .catchUp, done: 0, total: 1))
            // A promotion to another model during the build changes which stored vectors fit.
            let current = try context.catchUp(for: collection, model: record.model)
            guard (current.model == nil) == (rule.model == nil) else {
                throw LifecycleError.invalidRequest("the collection switched embedding models while the build ran; build again")
            }
            record.appliedSequence = try current.catchUp(set, from: sequence) { cancellation?.isCancelled == true }
            if cancellation?.isCancelled == true { throw LifecycleError.cancelled }
            record.catchUpSeconds = (ContinuousClock.now - catchUpStart).seconds
            record.points = index.liveCount
            try context.storeIndex(index, sequence: record.appliedSequence, collection: record.collection, build: record.number)
            try BuildIndexImages.store(set, sequence: record.appliedSequence,
                                     in: try context.store.build(id: LifecycleContext.buildID(record.collection, record.number)).blobs)
            // The gate measures the build as it would serve: walked on its codes, if it has any.
            set.quantize(record.servingQuantization(collectionSetting: schema.quantization), schema: schema, directory: collection.directory)
            progress?(BuildProgress(phase: .recall, done: 0, total: recallQueries))
            let production = try context.production(of: record.collection, live: live)
            let (candidate, productionReport, _, _) = try RecallCheck(k: recallK, queries: recallQueries)
                .compare(index, ef: record.ef, model: record.model, with: production, log: live?.queryLog)
            record.recall = candidate
            if let production, let productionReport {
                record.production = ProductionComparison(build: production.build, model: production.model, recall: productionReport.recall,
                                                         latencyP99Milliseconds: productionReport.latencyP99Milliseconds)
            }
            record.status = .ready
        } catch {
            record.status = .failed
            record.failure = "\(error)"
            try? context.store.deleteBuild(id: record.id)
        }
        record.finishedAt = Date()
        try catalog.save(record)
        try BuildRetention(context: context).retire(collection: record.collection, actor: "build \(record.number)")
        return record
    }
}
