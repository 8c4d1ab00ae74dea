import Foundation

/// How a collection answers a plain text query: the dense model alone, or hybrid — the
/// dense model and BM25 on one of its sparse vectors, each prefetching `prefetchLimit`
/// candidates, fused by RRF with `rrfK`. Promoted, audited and rolled back like a build.
public struct ServingPipeline: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable { case dense, hybrid }

    public var kind: Kind
    /// The sparse vector BM25 fills (hybrid only).
    public var sparseVector: String?
    public var prefetchLimit: Int
    public var rrfK: Int

    public static let dense = ServingPipeline(kind: .dense)

    public init(kind: Kind, sparseVector: String? = nil, prefetchLimit: Int = 20, rrfK: Int = 2) {
        self.kind = kind
        self.sparseVector = sparseVector
        self.prefetchLimit = prefetchLimit
        self.rrfK = rrfK
    }

    /// The same plan as an offline evaluation runs it.
    public var retrieval: RetrievalPipeline {
        kind == .dense ? .dense : .hybrid(prefetchLimit: prefetchLimit, rrfK: rrfK)
    }

    public var description: String {
        kind == .dense ? "dense" : "hybrid (dense + bm25 on `\(sparseVector ?? "?")`, rrf k=\(rrfK), prefetch \(prefetchLimit))"
    }

    public func validate(against schema: CollectionSchemaView) throws {
        guard (1 ... 10_000).contains(prefetchLimit), (1 ... 1_000_000).contains(rrfK) else {
            throw LifecycleError.invalidRequest("prefetch_limit must lie in 1...10000 and rrf_k in 1...1000000")
        }
        guard kind == .hybrid else { return }
        guard let sparseVector, schema.sparseVectors.contains(sparseVector) else {
            throw LifecycleError.invalidRequest("a hybrid pipeline needs `sparse_vector`, one of the collection's sparse vectors (\(schema.sparseVectors.sorted().joined(separator: ", ")))")
        }
        guard schema.hasModel else {
            throw LifecycleError.invalidRequest("a hybrid pipeline answers text queries: bind an embedding model to the collection first")
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind
        case sparseVector = "sparse_vector"
        case prefetchLimit = "prefetch_limit"
        case rrfK = "rrf_k"
    }
}

/// What the pipeline validation needs of a schema.
public struct CollectionSchemaView: Sendable {
    public var sparseVectors: Set<String>
    public var hasModel: Bool
}

/// The evaluation gate for a pipeline change: both pipelines on the collection's evaluation
/// set with the serving model, nDCG@10 side by side with a paired-bootstrap interval.
public struct PipelineGateReport: Codable, Sendable, Equatable {
    public var baseline: String
    public var candidate: String
    public var model: String?
    public var dataset: String?
    public var queries: Int?
    public var baselineNDCG: Double?
    public var candidateNDCG: Double?
    public var ndcgDelta: Double?
    public var ndcgDeltaCI95: [Double]?
    public var margin: Double
    public var failures: [String]
    public var passed: Bool { failures.isEmpty }

    enum CodingKeys: String, CodingKey {
        case baseline, candidate, model, dataset, queries, margin, failures, passed
        case baselineNDCG = "baseline_ndcg@10"
        case candidateNDCG = "candidate_ndcg@10"
        case ndcgDelta = "ndcg@10_delta"
        case ndcgDeltaCI95 = "ndcg@10_delta_ci95"
    }

    public init(baseline: String, candidate: String, model: String?, margin: Double, failures: [String]) {
        self.baseline = baseline
        self.candidate = candidate
        self.model = model
        self.margin = margin
        self.failures = failures
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        baseline = try container.decode(String.self, forKey: .baseline)
        candidate = try container.decode(String.self, forKey: .candidate)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        dataset = try container.decodeIfPresent(String.self, forKey: .dataset)
        queries = try container.decodeIfPresent(Int.self, forKey: .queries)
        baselineNDCG = try container.decodeIfPresent(Double.self, forKey: .baselineNDCG)
        candidateNDCG = try container.decodeIfPresent(Double.self, forKey: .candidateNDCG)
        ndcgDelta = try container.decodeIfPresent(Double.self, forKey: .ndcgDelta)
        ndcgDeltaCI95 = try container.decodeIfPresent([Double].self, forKey: .ndcgDeltaCI95)
        margin = try container.decode(Double.self, forKey: .margin)
        failures = try container.decode([String].self, forKey: .failures)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(baseline, forKey: .baseline)
        try container.encode(candidate, forKey: .candidate)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encodeIfPresent(dataset, forKey: .dataset)
        try container.encodeIfPresent(queries, forKey: .queries)
        try container.encodeIfPresent(baselineNDCG, forKey: .baselineNDCG)
        try container.encodeIfPresent(candidateNDCG, forKey: .candidateNDCG)
        try container.encodeIfPresent(ndcgDelta, forKey: .ndcgDelta)
        try container.encodeIfPresent(ndcgDeltaCI95, forKey: .ndcgDeltaCI95)
        try container.encode(margin, forKey: .margin)
        try container.encode(failures, forKey: .failures)
        try container.encode(passed, forKey: .passed)
    }
}
