import Embeddings
import Foundation
import Storage
import VectorIndex
import VectorKernels

/// What one model scored on one labelled set: stored so gates and comparisons can reuse it.
public struct ModelEvaluation: Codable, Sendable, Equatable {
    public var model: String
    public var dataset: String
    public var datasetPath: String
    public var queries: Int
    public var recallAt10: Double
    public var ndcgAt10: Double
    public var mrrAt10: Double
    /// Per-query nDCG@10 in query order, for paired comparisons.
    public var perQueryNDCG: [Double]
    public var evaluatedAt: Date
    public var evaluatedBy: String
    /// nil for the dense model alone (evaluations stored before pipelines existed).
    public var pipeline: RetrievalPipeline?
    /// The model's manifest digest and the dataset's, when evaluated: a stored evaluation is
    /// reused only while both still match (nil in evaluations stored before artifacts).
    public var modelDigest: String?
    public var datasetDigest: String?

    enum CodingKeys: String, CodingKey {
        case model, dataset, queries, pipeline
        case datasetPath = "dataset_path"
        case recallAt10 = "recall@10"
        case ndcgAt10 = "ndcg@10"
        case mrrAt10 = "mrr@10"
        case perQueryNDCG = "per_query_ndcg@10"
        case evaluatedAt = "evaluated_at"
        case evaluatedBy = "evaluated_by"
        case modelDigest = "model_digest"
        case datasetDigest = "dataset_digest"
    }
}

/// Embeds a BEIR set's corpus and queries with a registered model, ranks exactly (BLAS) and
/// scores recall@10, nDCG@10 and MRR@10; results are kept in the catalog.
public struct ModelEvaluator: Sendable {
    let table: CatalogTable<ModelEvaluation>
    static let cutoff = 10

    let datasets: DatasetRegistry
    let artifacts: ArtifactStore

    public init(store: Store) throws {
        table = try CatalogTable(store: store, name: "evaluations", magic: "LEVL", what: "evaluation")
        datasets = try DatasetRegistry(store: store)
        artifacts = ArtifactStore(dataDirectory: store.directory)
    }

    /// The evaluation of registered model `reference` on a dataset (`datasetPath`: a registered
    /// `name@version` or a BEIR directory): the stored one when `reuse` and it was made with
    /// the same model and dataset digests, else a new one (stored). `models` shares weights the
    /// process has loaded already.
    public func evaluation(of reference: String, datasetPath: String, by user: String, reuse: Bool, models: ModelLoader,
                           pipeline: RetrievalPipeline = .dense, progress: (@Sendable (String) -> Void)? = nil) throws -> ModelEvaluation {
        let target = try datasets.resolve(datasetPath)
        let record = pipeline.needsModel ? try models.registry.model(reference) : nil
        if reuse, let stored = try stored(model: reference, datasetPath: target.key, pipeline: pipeline),
           stored.datasetDigest == target.digest, stored.modelDigest == record?.digest {
            return stored
        }
        let dataset = try BEIRDataset(directory: target.directory, name: target.name)
        guard let record else {
            return try evaluate(reference: "bm25", on: dataset, datasetPath: target.key, digests: (nil, target.digest), by: user,
                                pipeline: pipeline, embedder: nil, progress: progress)
        }
        return try evaluate(reference: record.reference, on: dataset, datasetPath: target.key, digests: (record.digest, target.digest),
                            by: user, pipeline: pipeline, embedder: models.embedder(for: reference), progress: progress)
    }

    public func evaluate(_ record: ModelRecord, on dataset: BEIRDataset, datasetPath: String, by user: String,
                         embedder: SentenceEmbedder? = nil, progress: (@Sendable (String) -> Void)? = nil) throws -> ModelEvaluation {
        let embedder = try embedder ?? SentenceEmbedder(modelDirectory: artifacts.directory(of: record))
        let datasetDigest = try? datasets.resolve(datasetPath).digest
        return try evaluate(reference: record.reference, on: dataset, datasetPath: datasetPath, digests: (record.digest, datasetDigest),
                            by: user, pipeline: .dense, embedder: embedder, progress: progress)
    }

    func evaluate(reference: String, on dataset: BEIRDataset, datasetPath: String, digests: (model: String?, dataset: String?),
                  by user: String, pipeline: RetrievalPipeline,
                  embedder: SentenceEmbedder?, progress: (@Sendable (String) -> Void)?) throws -> ModelEvaluation {
        let ranked = try PipelineRanking(dataset: dataset, cutoff: Self.cutoff).rank(pipeline, embedder: embedder, progress: progress)
        var recall = 0.0, ndcg: [Double] = [], mrr = 0.0
        for (query, positions) in zip(dataset.queries, ranked) {
            let ids = positions.map { dataset.corpus[$0].id }
            let relevant = dataset.relevance[query.id] ?? [:]
            recall += RetrievalMetrics.recall(ranked: ids, relevant: relevant, k: Self.cutoff)
            ndcg.append(RetrievalMetrics.ndcg(ranked: ids, relevant: relevant, k: Self.cutoff))
            mrr += RetrievalMetrics.reciprocalRank(ranked: ids, relevant: relevant, k: Self.cutoff)
        }
        let count = Double(dataset.queries.count)
        let evaluation = ModelEvaluation(
            model: reference, dataset: dataset.name, datasetPath: datasetPath, queries: dataset.queries.count,
            recallAt10: recall / count, ndcgAt10: ndcg.reduce(0, +) / count, mrrAt10: mrr / count, perQueryNDCG: ndcg,
            evaluatedAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded()), evaluatedBy: user,
            pipeline: pipeline == .dense ? nil : pipeline, modelDigest: digests.model, datasetDigest: digests.dataset)
        try table.put(evaluation, at: Self.key(reference, datasetPath, pipeline))
        return evaluation
    }

    /// Two evaluations on one dataset for a gate: the stored ones while they cover the same
    /// queries; when the dataset changed after one was stored (their query counts differ), both
    /// again, so a gate never compares different query sets.
    public func comparable(baseline: String, _ baselinePipeline: RetrievalPipeline = .dense, candidate: String,
                           _ candidatePipeline: RetrievalPipeline = .dense, datasetPath: String, by user: String,
                           models: ModelLoader, progress: (@Sendable (String) -> Void)? = nil) throws -> EvaluationComparisonInputs {
        var a = try evaluation(of: baseline, datasetPath: datasetPath, by: user, reuse: true, models: models, pipeline: baselinePipeline, progress: progress)
        var b = try evaluation(of: candidate, datasetPath: datasetPath, by: user, reuse: true, models: models, pipeline: candidatePipeline, progress: progress)
        if a.perQueryNDCG.count != b.perQueryNDCG.count {
            progress?("the evaluation set changed since a stored evaluation; evaluating both again")
            a = try evaluation(of: baseline, datasetPath: datasetPath, by: user, reuse: false, models: models, pipeline: baselinePipeline, progress: progress)
            b = try evaluation(of: candidate, datasetPath: datasetPath, by: user, reuse: false, models: models, pipeline: candidatePipeline, progress: progress)
        }
        return EvaluationComparisonInputs(baseline: a, candidate: b)
    }

    /// The stored evaluation of `model` (under `pipeline`) on the set at `datasetPath`, if any.
    public func stored(model: String, datasetPath: String, pipeline: RetrievalPipeline = .dense) throws -> ModelEvaluation? {
        try table.get(Self.key(model, datasetPath, pipeline))
    }

    /// Every stored evaluation, by model and dataset.
    public func all() throws -> [ModelEvaluation] {
        try table.scan().map(\.record)
    }

    /// Dense evaluations keep the key they had before pipelines, so stored ones stay found.
    static func key(_ model: String, _ datasetPath: String, _ pipeline: RetrievalPipeline = .dense) -> [UInt8] {
        let suffix = pipeline == .dense ? "" : "\u{0}\(pipeline)"
        return Array("\(model)\u{0}\(datasetPath)\(suffix)".utf8)
    }
}

public struct EvaluationComparisonInputs: Sendable {
    public var baseline: ModelEvaluation
    public var candidate: ModelEvaluation
}

/// Two evaluations on the same queries side by side, and whether B would pass the gate.
public struct EvaluationComparison: Sendable {
    public var baseline: ModelEvaluation
    public var candidate: ModelEvaluation
    public var ndcgDelta: Double
    public var ndcgDeltaInterval: (low: Double, high: Double)
    /// B passes when its nDCG@10 is at most `margin` below A's.
    public var margin: Double
    public var passes: Bool { ndcgDelta >= -margin }

    public init(baseline: ModelEvaluation, candidate: ModelEvaluation, margin: Double = 0.01) throws(LifecycleError) {
        guard baseline.perQueryNDCG.count == candidate.perQueryNDCG.count, !baseline.perQueryNDCG.isEmpty else {
            throw .invalidRequest("the evaluations cover different query sets (\(baseline.model) on \(baseline.perQueryNDCG.count) queries of "
                                  + "\(baseline.dataset), \(candidate.model) on \(candidate.perQueryNDCG.count) of \(candidate.dataset)); "
                                  + "evaluate both on the same dataset again")
        }
        self.baseline = baseline
        self.candidate = candidate
        self.margin = margin
        ndcgDelta = candidate.ndcgAt10 - baseline.ndcgAt10
        ndcgDeltaInterval = RetrievalMetrics.pairedBootstrap(baseline.perQueryNDCG, candidate.perQueryNDCG)
    }
}
