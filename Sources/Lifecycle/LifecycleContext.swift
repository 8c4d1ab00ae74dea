import Foundation
import Storage
import VectorIndex

/// The catalog tables the lifecycle works with, opened once per store.
public struct LifecycleContext: Sendable {
    public let store: Store
    public let serving: ServingCatalog
    public let builds: BuildCatalog
    public let audit: AuditTrail
    public let models: ModelLoader
    public let policies: PolicyCatalog
    public let datasets: DatasetRegistry

    public init(store: Store) throws {
        self.store = store
        serving = try ServingCatalog(store: store)
        builds = try BuildCatalog(store: store)
        audit = try AuditTrail(store: store)
        models = try ModelLoader(store: store)
        policies = try PolicyCatalog(store: store)
        datasets = try DatasetRegistry(store: store)
    }

    static func buildID(_ collection: String, _ number: Int) -> String { "\(collection)-\(number)" }

    /// The catch-up rule for an index on `model` in `collection`, reading the binding history
    /// as it stands now.
    func catchUp(for collection: CollectionStore, model: String?) throws -> IndexCatchUp {
        let schema = try collection.schema()
        let record = try serving.record(schema.name)
        // With no model, or no switch ever recorded and the index on the bound model, every
        // stored vector is the right one.
        let initial = schema.embeddingModel
        return IndexCatchUp(store: collection, model: model.flatMap { model in
            record.bindings.isEmpty && model == initial ? nil : model
        }, bindingAt: { record.model(at: $0, initial: initial) }, embedder: { [models] in
            try models.embedder(for: model ?? "")
        })
    }

    /// Makes the collection's model binding follow the catalog, which is written first: moves
    /// the schema to `model` and the recorded switch point to where the schema actually
    /// switched (changes before it were embedded with the old model). A process that stopped
    /// between the two writes leaves the schema behind; this repairs it. In a serving process
    /// callers hold the collection's write gate.
    func bindSchema(collection: String, to model: String?) throws {
        let previous = try store.collection(named: collection).schema().embeddingModel
        guard previous != model else { return }
        let sequence = try store.bindEmbeddingModel(collection: collection, model: model)
        try serving.update(collection) { record in
            if let last = record.bindings.indices.last, record.bindings[last].model == model {
                record.bindings[last].sequence = max(record.bindings[last].sequence, sequence)
            } else {
                if record.bindings.isEmpty { record.bindings.append(.init(sequence: 0, model: previous)) }
                record.bindings.append(.init(sequence: sequence, model: model))
            }
        }
    }

    /// What serves `collection` now, to compare a candidate with: the index in memory when the
    /// collection is open in this process, else the serving build's stored image; nil when
    /// there is none yet.
    func production(of collection: String, live: ServingCollection?) throws -> RecallCheck.Production? {
        if let live { return .init(index: live.index, build: live.servingBuild, model: live.servingModel, ef: live.hnswParameters.ef) }
        let record = try serving.record(collection)
        let build = record.build ?? 0
        if build > 0, let buildRecord = try builds.build(collection, build) {
            let schema = try store.collection(named: collection).schema()
            return .init(index: try loadIndex(collection: collection, build: build, dimension: schema.indexDimension).index,
                         build: build, model: buildRecord.model, ef: buildRecord.ef)
        }
        let collectionStore = try store.collection(named: collection)
        let schema = try collectionStore.schema()
        guard let index = try ServingCollection.loadOwnImage(collectionStore, schema: schema)?.index else { return nil }
        return .init(index: index, build: 0, model: record.originalModel(current: schema.embeddingModel), ef: schema.hnsw.ef)
    }

    /// A build's stored index and the sequence number it reflects. Unless `quantized` is false,
    /// the index gets the codes the build serves with, so gates, shadows and canaries measure
    /// what it would serve (images hold no codes: they are derived from the vectors).
    func loadIndex(collection: String, build number: Int, dimension: Int, quantized: Bool = true) throws -> (index: HNSWIndex, sequence: UInt64) {
        let loaded = try loadIndexImages(collection: collection, build: number, dimension: dimension)
        if quantized, let record = try builds.build(collection, number) {
            let collectionStore = try store.collection(named: collection)
            let schema = try collectionStore.schema()
            loaded.index.quantize(record.servingQuantization(collectionSetting: schema.quantization),
                                  placing: schema.vectorPlacement(schema.primaryVectorName, in: collectionStore.directory))
        }
        return (loaded.index, loaded.sequence)
    }

    /// A build's stored image chain: its full image and the deltas after it.
    func loadIndexImages(collection: String, build number: Int, dimension: Int) throws -> IndexImageChain.Loaded {
        let buildStore = try store.build(id: Self.buildID(collection, number))
        guard let loaded = try IndexImageChain.load(from: buildStore.blobs) else {
            throw LifecycleError.corruptIndexImage("build \(number) of `\(collection)` has no stored index image")
        }
        guard loaded.index.dimension == dimension else {
            throw LifecycleError.corruptIndexImage("build \(number) of `\(collection)` has dimension \(loaded.index.dimension), the collection \(dimension)")
        }
        return loaded
    }

    func storeIndex(_ index: HNSWIndex, sequence: UInt64, collection: String, build number: Int) throws {
        let image = ServingIndexImage(sequence: sequence, snapshot: index.snapshot())
        try IndexImageChain.storeFull(image, in: try store.build(id: Self.buildID(collection, number)).blobs)
    }
}
