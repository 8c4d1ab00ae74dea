import Foundation

/// What the promotion gates measured and decided, kept with the audit entry.
public struct GateReport: Codable, Sendable, Equatable {
    public struct RecallGate: Codable, Sendable, Equatable {
        public var k: Int
        public var queries: Int
        public var querySource: String
        public var candidate: Double
        public var candidateEf: Int
        public var candidateP99Milliseconds: Double
        public var production: Double?
        public var productionBuild: Int?
        public var productionP99Milliseconds: Double?
        public var floor: Double
        public var margin: Double
        public var passed: Bool
        /// For a candidate walked on codes that failed: its recall on the same queries with
        /// more oversampling than the default, so the refusal says what would pass.
        public var oversampled: [OversampledRecall]?

        enum CodingKeys: String, CodingKey {
            case k, queries, candidate, production, floor, margin, passed
            case oversampled = "oversampled_recall"
            case querySource = "query_source"
            case candidateEf = "candidate_ef"
            case candidateP99Milliseconds = "candidate_p99_ms"
            case productionBuild = "production_build"
            case productionP99Milliseconds = "production_p99_ms"
        }
    }

    /// A quantized candidate's recall at one `params.quantization.oversampling`.
    public struct OversampledRecall: Codable, Sendable, Equatable {
        public var oversampling: Double
        public var recall: Double
        public var p99Milliseconds: Double

        enum CodingKeys: String, CodingKey {
            case oversampling, recall
            case p99Milliseconds = "p99_ms"
        }
    }

    public struct ModelGate: Codable, Sendable, Equatable {
        public var baseline: String
        public var candidate: String
        public var dataset: String
        public var queries: Int
        public var baselineNDCG: Double
        public var candidateNDCG: Double
        public var baselineRecall: Double
        public var candidateRecall: Double
        public var ndcgDelta: Double
        public var ndcgDeltaCI95: [Double]
        public var margin: Double
        public var passed: Bool

        enum CodingKeys: String, CodingKey {
            case baseline, candidate, dataset, queries, margin, passed
            case baselineNDCG = "baseline_ndcg@10"
            case candidateNDCG = "candidate_ndcg@10"
            case baselineRecall = "baseline_recall@10"
            case candidateRecall = "candidate_recall@10"
            case ndcgDelta = "ndcg@10_delta"
            case ndcgDeltaCI95 = "ndcg@10_delta_ci95"
        }
    }

    public var build: Int
    public var recall: RecallGate
    public var model: ModelGate?
    /// Why the gates refuse, one sentence each; empty when they pass.
    public var failures: [String]
    public var passed: Bool { failures.isEmpty }

    enum CodingKeys: String, CodingKey {
        case build, recall, model, failures, passed
    }

    public init(build: Int, recall: RecallGate, model: ModelGate?, failures: [String]) {
        self.build = build
        self.recall = recall
        self.model = model
        self.failures = failures
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        build = try container.decode(Int.self, forKey: .build)
        recall = try container.decode(RecallGate.self, forKey: .recall)
        model = try container.decodeIfPresent(ModelGate.self, forKey: .model)
        failures = try container.decode([String].self, forKey: .failures)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(build, forKey: .build)
        try container.encode(recall, forKey: .recall)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encode(failures, forKey: .failures)
        try container.encode(passed, forKey: .passed)
    }
}
