import Foundation
import Storage

/// What a pipeline change did: whether it was made, the gate's numbers, the audit entry.
public struct PipelineOutcome: Sendable, Encodable {
    public var changed: Bool
    public var pipeline: ServingPipeline
    public var gate: PipelineGateReport
    public var audit: Int
}

/// Switches the pipeline a collection answers text queries with, through the evaluation gate
/// builds on a new model go through: the serving pipeline and the candidate are evaluated on
/// the collection's evaluation set with the serving model, and the candidate may score at
/// most the gate's margin below. The change is one catalog write with its audit entry; a
/// serving process picks it up at once (in process) or on its next catalog turn.
public struct PipelinePromoter: Sendable {
    public let context: LifecycleContext

    public init(context: LifecycleContext) { self.context = context }

    public func current(collection: String) throws -> ServingPipeline {
        try context.serving.record(collection).pipeline ?? .dense
    }

    public func check(collection: String, candidate: ServingPipeline, progress: (@Sendable (String) -> Void)? = nil) throws -> PipelineGateReport {
        let schema = try context.store.collection(named: collection).schema()
        try candidate.validate(against: CollectionSchemaView(sparseVectors: Set(schema.sparseVectors.keys), hasModel: schema.embeddingModel != nil))
        let record = try context.serving.record(collection)
        let baseline = record.pipeline ?? .dense
        var report = PipelineGateReport(baseline: baseline.description, candidate: candidate.description, model: schema.embeddingModel,
                                        margin: record.gates.evaluationMargin, failures: [])
        guard let model = schema.embeddingModel else {
            report.failures.append("the collection has no embedding model, so text pipelines cannot be evaluated")
            return report
        }
        guard let dataset = record.gates.evaluationDataset else {
            report.failures.append("the collection has no evaluation set to compare the pipelines on (set one with `lodestone gates --eval-dataset DIR`)")
            return report
        }
        let evaluator = try ModelEvaluator(store: context.store)
        let pair = try evaluator.comparable(baseline: model, baseline.retrieval, candidate: model, candidate.retrieval, datasetPath: dataset,
                                            by: "pipeline gate", models: context.models, progress: progress)
        let (a, b) = (pair.baseline, pair.candidate)
        let comparison = try EvaluationComparison(baseline: a, candidate: b, margin: record.gates.evaluationMargin)
        report.dataset = a.dataset
        report.queries = a.queries
        report.baselineNDCG = a.ndcgAt10
        report.candidateNDCG = b.ndcgAt10
        report.ndcgDelta = comparison.ndcgDelta
        report.ndcgDeltaCI95 = [comparison.ndcgDeltaInterval.low, comparison.ndcgDeltaInterval.high]
        if !comparison.passes {
            report.failures.append(String(format: "%@ scores nDCG@10 %.4f on %@, %.4f below %@'s %.4f (margin %.3f)", candidate.description,
                                          b.ndcgAt10, a.dataset, -comparison.ndcgDelta, baseline.description, a.ndcgAt10, record.gates.evaluationMargin))
        }
        return report
    }

    /// Serves `candidate` when the gate passes (or `force` with a reason); a refusal is audited
    /// and changes nothing.
    public func change(collection: String, to candidate: ServingPipeline, actor: String, force: Bool = false, reason: String? = nil,
                       live: ServingCollection? = nil, progress: (@Sendable (String) -> Void)? = nil) throws -> PipelineOutcome {
        if force, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw LifecycleError.invalidRequest("--force needs --reason: say why the gate is overridden")
        }
        let baseline = try current(collection: collection)
        guard baseline != candidate else { throw LifecycleError.invalidRequest("collection `\(collection)` already serves \(candidate)") }
        let gate = try check(collection: collection, candidate: candidate, progress: progress)
        guard gate.passed || force else {
            var entry = AuditEntry(collection: collection, actor: actor, action: .pipelineRefused, fromBuild: nil, toBuild: nil, reason: reason)
            entry.pipelineGate = gate
            return PipelineOutcome(changed: false, pipeline: baseline, gate: gate, audit: try context.audit.append(entry).number)
        }
        let entry = try context.serving.update(collection, audit: context.audit) { record, _ in
            record.previousPipelines = (record.previousPipelines ?? []) + [record.pipeline ?? .dense]
            record.pipeline = candidate == .dense ? nil : candidate
            record.changedAt = Date()
            var entry = AuditEntry(collection: collection, actor: actor, action: .pipelineChange, fromBuild: nil, toBuild: nil,
                                   forced: force && !gate.passed, reason: reason)
            entry.pipelineGate = gate
            return entry
        }
        live?.servePipeline(candidate)
        return PipelineOutcome(changed: true, pipeline: candidate, gate: gate, audit: entry.number)
    }

    /// Returns to the pipeline that served before the current one.
    public func rollback(collection: String, actor: String, reason: String? = nil, live: ServingCollection? = nil) throws -> AuditEntry {
        var restored = ServingPipeline.dense
        let entry = try context.serving.update(collection, audit: context.audit) { record, _ in
            guard var history = record.previousPipelines, let target = history.popLast() else {
                throw LifecycleError.invalidRequest("collection `\(collection)` has no previous pipeline to roll back to")
            }
            let from = record.pipeline ?? .dense
            record.previousPipelines = history
            record.pipeline = target == .dense ? nil : target
            record.changedAt = Date()
            restored = target
            return AuditEntry(collection: collection, actor: actor, action: .pipelineRollback, fromBuild: nil, toBuild: nil,
                              reason: reason ?? "back from \(from)")
        }
        live?.servePipeline(restored)
        return entry
    }
}
