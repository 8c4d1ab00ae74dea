import Foundation

/// Which build of a collection serves, the builds it replaced (the rollback path), the model
/// each stretch of the change log was embedded with, and the collection's gate settings.
public struct ServingRecord: Codable, Sendable, Equatable {
    /// From `sequence` on, stored vectors of text points come from `model`.
    public struct ModelBinding: Codable, Sendable, Equatable {
        public var sequence: UInt64
        public var model: String?
    }

    public var collection: String
    /// The serving build; nil while the collection serves the index it was created with.
    public var build: Int?
    /// Builds that served before, most recent last: `rollback` returns to the last one.
    public var previous: [Int]
    public var bindings: [ModelBinding]
    public var gates: GateSettings
    public var changedAt: Date?
    public var monitoring: MonitoringSettings?
    public var shadow: ShadowSettings?
    public var canary: CanarySettings?
    /// How plain text queries are answered; nil is the dense model alone.
    public var pipeline: ServingPipeline?
    /// Pipelines that served before, most recent last: a pipeline rollback returns to the last.
    public var previousPipelines: [ServingPipeline]?
    /// The codes the original index (build 0) served with, recorded when it was first switched
    /// away from: a rollback to it serves with them, whatever the collection moved to since.
    public var originalQuantization: BuildQuantization?

    public init(collection: String, build: Int? = nil, previous: [Int] = [], bindings: [ModelBinding] = [],
                gates: GateSettings = GateSettings(), changedAt: Date? = nil) {
        self.collection = collection
        self.build = build
        self.previous = previous
        self.bindings = bindings
        self.gates = gates
        self.changedAt = changedAt
    }

    /// The model that embedded the stored vector of a change logged at `sequence`; `initial`
    /// is the collection's binding before any recorded switch.
    public func model(at sequence: UInt64, initial: String?) -> String? {
        bindings.last { $0.sequence < sequence }?.model ?? initial
    }

    /// The model of the collection's original index (build 0): the first recorded binding, or
    /// the collection's model when it never switched.
    public func originalModel(current: String?) -> String? {
        bindings.first.map(\.model) ?? current
    }

    /// The build a rollback returns to.
    public var rollbackTarget: Int? { previous.last }

    enum CodingKeys: String, CodingKey {
        case collection, build, previous, bindings, gates, monitoring, shadow, canary, pipeline
        case previousPipelines = "previous_pipelines"
        case changedAt = "changed_at"
        case originalQuantization = "original_quantization"
    }
}

/// Per-collection promotion gates and build retention.
public struct GateSettings: Codable, Sendable, Equatable {
    /// A build's recall@k must reach this.
    public var recallFloor: Double
    /// ...and be no more than this below production's on the same queries.
    public var recallMargin: Double
    /// BEIR-format set a build on a new model is evaluated on.
    public var evaluationDataset: String?
    /// How far a new model's nDCG@10 may fall below production's model.
    public var evaluationMargin: Double
    /// Ready builds kept besides the serving build and the rollback target.
    public var keepBuilds: Int

    public init(recallFloor: Double = 0.95, recallMargin: Double = 0.01, evaluationDataset: String? = nil,
                evaluationMargin: Double = 0.01, keepBuilds: Int = 2) {
        self.recallFloor = recallFloor
        self.recallMargin = recallMargin
        self.evaluationDataset = evaluationDataset
        self.evaluationMargin = evaluationMargin
        self.keepBuilds = keepBuilds
    }

    public func validate() throws {
        guard (0 ... 1).contains(recallFloor), (0 ... 1).contains(recallMargin), (0 ... 1).contains(evaluationMargin) else {
            throw LifecycleError.invalidRequest("recall_floor, recall_margin and eval_margin must lie in 0...1")
        }
        guard (0 ... 1000).contains(keepBuilds) else {
            throw LifecycleError.invalidRequest("keep_builds must lie in 0...1000")
        }
    }

    enum CodingKeys: String, CodingKey {
        case recallFloor = "recall_floor"
        case recallMargin = "recall_margin"
        case evaluationDataset = "eval_dataset"
        case evaluationMargin = "eval_margin"
        case keepBuilds = "keep_builds"
    }
}
