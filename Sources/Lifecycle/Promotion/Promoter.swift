import Foundation
import Storage
import VectorIndex

/// What a promotion did: the gate's numbers and the audit entry written (a `refused` entry
/// when the gates said no and nothing changed).
public struct PromotionOutcome: Sendable, Encodable {
    public var promoted: Bool
    public var gate: GateReport
    public var entry: AuditEntry

    enum CodingKeys: String, CodingKey {
        case promoted, collection, build, forced, reason, audit, gate
        case fromBuild = "from_build"
    }

    /// The shape `lodestone promote --json` prints and `POST /collections/{name}/promote` returns.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promoted, forKey: .promoted)
        try container.encode(entry.collection, forKey: .collection)
        try container.encode(gate.build, forKey: .build)
        try container.encodeIfPresent(entry.fromBuild, forKey: .fromBuild)
        try container.encode(entry.forced, forKey: .forced)
        try container.encodeIfPresent(entry.reason, forKey: .reason)
        try container.encode(entry.number, forKey: .audit)
        try container.encode(gate, forKey: .gate)
    }
}

/// Runs the promotion gates and switches what a collection serves. The switch is one catalog
/// write (serving record, model binding history and audit entry together); a process serving
/// the collection swaps its index under its write gate, others follow the catalog.
public struct Promoter: Sendable {
    public let context: LifecycleContext
    public var recallQueries = 200

    public init(context: LifecycleContext) { self.context = context }

    /// Measures build `number` against what serves `collection` now; `live` is the serving
    /// collection when this process has it open.
    public func check(collection: String, build number: Int, live: ServingCollection? = nil,
                      progress: (@Sendable (String) -> Void)? = nil) throws -> GateReport {
        let build = try context.builds.servable(collection, number)
        let store = try context.store.collection(named: collection)
        let schema = try store.schema()
        let gates = try context.serving.record(collection).gates
        let candidate = try context.loadIndex(collection: collection, build: number, dimension: schema.indexDimension).index
        let production = try context.production(of: collection, live: live)
        progress?("measuring recall of build \(number)" + (production.map { " and of build \($0.build) on the same queries" } ?? ""))
        let check = RecallCheck(k: 10, queries: recallQueries)
        let (candidateReport, productionReport, sample, candidateExact) = try check
            .compare(candidate, ef: build.ef, model: build.model, with: production, log: live?.queryLog)
        let queries = sample.count
        var failures: [String] = []
        // The one bar both recall gates set: the floor, and production's recall less the margin.
        let needed = max(gates.recallFloor, productionReport.map { $0.recall - gates.recallMargin } ?? 0)
        let recallPassed = candidateReport.recall >= needed
        if candidateReport.recall < gates.recallFloor {
            failures.append(String(format: "recall@10 %.4f is below the floor %.2f", candidateReport.recall, gates.recallFloor))
        }
        if let productionReport, candidateReport.recall < productionReport.recall - gates.recallMargin {
            failures.append(String(format: "recall@10 %.4f is more than %.3f below production build %d's %.4f on the same %d queries",
                                   candidateReport.recall, gates.recallMargin, production?.build ?? 0, productionReport.recall, queries))
        }
        var recall = GateReport.RecallGate(
            k: 10, queries: candidateReport.queries, querySource: candidateReport.querySource, candidate: candidateReport.recall,
            candidateEf: build.ef, candidateP99Milliseconds: candidateReport.latencyP99Milliseconds, production: productionReport?.recall,
            productionBuild: production?.build, productionP99Milliseconds: productionReport?.latencyP99Milliseconds,
            floor: gates.recallFloor, margin: gates.recallMargin, passed: recallPassed)
        if !recallPassed, candidate.quantizer != nil {
            recall.oversampled = try OversamplingAdvice(check: check, index: candidate, ef: build.ef, exact: candidateExact)
                .measure(reaching: needed, failures: &failures)
        }
        let modelGate = try modelGate(baseline: production?.model ?? schema.embeddingModel, candidate: build.model,
                                      gates: gates, failures: &failures, progress: progress)
        return GateReport(build: number, recall: recall, model: modelGate, failures: failures)
    }

    /// The model evaluation gate, for a build on another model than production's.
    private func modelGate(baseline: String?, candidate: String?, gates: GateSettings, failures: inout [String],
                           progress: (@Sendable (String) -> Void)?) throws -> GateReport.ModelGate? {
        guard let baseline, let candidate, baseline != candidate else { return nil }
        guard let dataset = gates.evaluationDataset else {
            failures.append("the build is on \(candidate) but production is on \(baseline), and the collection has no evaluation set to compare them on (set one with `lodestone gates --eval-dataset DIR`)")
            return nil
        }
        let evaluator = try ModelEvaluator(store: context.store)
        let pair = try evaluator.comparable(baseline: baseline, candidate: candidate, datasetPath: dataset, by: "promotion gate",
                                            models: context.models, progress: progress)
        let (a, b) = (pair.baseline, pair.candidate)
        let comparison = try EvaluationComparison(baseline: a, candidate: b, margin: gates.evaluationMargin)
        if !comparison.passes {
            failures.append(String(format: "%@ scores nDCG@10 %.4f on %@, %.4f below %@'s %.4f (margin %.3f; 95%% CI of the difference [%+.4f, %+.4f])",
                                   candidate, b.ndcgAt10, a.dataset, -comparison.ndcgDelta, baseline, a.ndcgAt10, gates.evaluationMargin,
                                   comparison.ndcgDeltaInterval.low, comparison.ndcgDeltaInterval.high))
        }
        return GateReport.ModelGate(
            baseline: baseline, candidate: candidate, dataset: a.dataset, queries: a.queries, baselineNDCG: a.ndcgAt10,
            candidateNDCG: b.ndcgAt10, baselineRecall: a.recallAt10, candidateRecall: b.recallAt10, ndcgDelta: comparison.ndcgDelta,
            ndcgDeltaCI95: [comparison.ndcgDeltaInterval.low, comparison.ndcgDeltaInterval.high], margin: gates.evaluationMargin,
            passed: comparison.passes)
    }

    /// Promotes build `number` when the gates pass (or `force` with a reason).
    public func promote(collection: String, build number: Int, actor: String, force: Bool = false, reason: String? = nil,
                        live: ServingCollection? = nil, progress: (@Sendable (String) -> Void)? = nil) throws -> PromotionOutcome {
        if force, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw LifecycleError.invalidRequest("--force needs --reason: say why the gates are overridden")
        }
        let current = try context.serving.record(collection).build ?? 0
        guard current != number else {
            throw LifecycleError.invalidRequest("build \(number) already serves collection `\(collection)`")
        }
        let gate = try check(collection: collection, build: number, live: live, progress: progress)
        guard gate.passed || force else {
            let entry = try context.audit.append(AuditEntry(collection: collection, actor: actor, action: .refused, fromBuild: current,
                                                            toBuild: number, reason: reason, gate: gate))
            return PromotionOutcome(promoted: false, gate: gate, entry: entry)
        }
        let entry = try switchTo(collection: collection, build: number, action: .promote, actor: actor, forced: force && !gate.passed,
                                 reason: reason, gate: gate, live: live) { record in
            record.previous.append(record.build ?? 0)
        }
        try BuildRetention(context: context).retire(collection: collection, actor: actor)
        return PromotionOutcome(promoted: true, gate: gate, entry: entry)
    }

    /// Returns the collection to the build that served before the current one.
    public func rollback(collection: String, actor: String, reason: String? = nil, live: ServingCollection? = nil) throws -> AuditEntry {
        let record = try context.serving.record(collection)
        guard let target = record.rollbackTarget else { throw LifecycleError.nothingToRollBack(collection) }
        if target > 0 { _ = try context.builds.servable(collection, target) }
        return try switchTo(collection: collection, build: target, action: .rollback, actor: actor, forced: false, reason: reason,
                            gate: nil, live: live) { record in
            // Another rollback may have committed since the target was read.
            guard record.previous.last == target else { throw LifecycleError.nothingToRollBack(collection) }
            record.previous.removeLast()
        }
    }

    /// Writes the switch: the serving record, binding history and audit entry in one catalog
    /// transaction that checks the target build is still servable; then the collection's model
    /// binding, whose environment reports the exact switch point atomically with writes and
    /// from then on refuses points embedded with another model. Through `live`, under its write
    /// gate, when the collection is open in this process.
    private func switchTo(collection: String, build number: Int, action: AuditEntry.Action, actor: String, forced: Bool,
                          reason: String?, gate: GateReport?, live: ServingCollection?,
                          history: @escaping (inout ServingRecord) throws -> Void) throws -> AuditEntry {
        let store = try context.store.collection(named: collection)
        let initialModel = try context.serving.record(collection).originalModel(current: store.schema().embeddingModel)
        let model = number == 0 ? initialModel : try context.builds.build(collection, number)?.model
        var written: AuditEntry?
        let commit = { [context] in
            written = try context.serving.update(collection, audit: context.audit) { record, transaction in
                if number > 0 { _ = try context.builds.servable(collection, number, in: transaction) }
                let from = record.build ?? 0
                try context.recordOutgoingQuantization(collection: collection, outgoing: from, serving: &record, in: transaction)
                try history(&record)
                record.build = number
                record.changedAt = Date()
                let previousModel = try store.schema().embeddingModel
                if model != previousModel {
                    // Provisional: the schema rebind right after moves it to the exact point.
                    if record.bindings.isEmpty { record.bindings.append(.init(sequence: 0, model: previousModel)) }
                    record.bindings.append(.init(sequence: try store.lastSequence(), model: model))
                }
                if let canary = record.canary, try context.builds.build(collection, canary.build, in: transaction)?.model != model {
                    // A canary answers users with the serving model's query vectors.
                    record.canary = nil
                }
                return AuditEntry(collection: collection, actor: actor, action: action, fromBuild: from, toBuild: number,
                                  forced: forced, reason: reason, gate: gate)
            }
            // The catalog first, then the schema: a stop in between is repaired on the next open
            // or follower turn, since the schema always follows the catalog.
            try context.bindSchema(collection: collection, to: model)
            try context.reconcileQuantization(collection: collection)
        }
        if let live { try live.serve(build: number, commit: commit) } else { try commit() }
        guard let written else { throw LifecycleError.invalidRequest("the switch was not recorded") }
        return written
    }
}
