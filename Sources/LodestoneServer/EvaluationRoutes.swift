import Foundation
import Hummingbird
import Lifecycle
import Storage

/// Stored model evaluations over HTTP, for the console: the list, and two evaluations of the
/// same queries side by side with the paired bootstrap interval of the nDCG@10 difference and
/// the per-query differences (with the query texts while the dataset is still readable).
struct EvaluationRoutes {
    let routes: RouteContext

    /// An evaluation's key in these routes: model, pipeline and dataset path.
    static func key(_ evaluation: ModelEvaluation) -> String {
        "\(evaluation.model)|\(evaluation.pipeline.map { "\($0)" } ?? "dense")|\(evaluation.datasetPath)"
    }

    static func summary(_ evaluation: ModelEvaluation) -> JSONValue {
        .object([
            "key": .string(key(evaluation)), "model": .string(evaluation.model), "pipeline": .string(evaluation.pipeline.map { "\($0)" } ?? "dense"),
            "dataset": .string(evaluation.dataset), "dataset_path": .string(evaluation.datasetPath), "queries": .int(Int64(evaluation.queries)),
            "recall@10": .double(evaluation.recallAt10), "ndcg@10": .double(evaluation.ndcgAt10), "mrr@10": .double(evaluation.mrrAt10),
            "evaluated_at": .double(evaluation.evaluatedAt.timeIntervalSince1970), "evaluated_by": .string(evaluation.evaluatedBy),
        ])
    }

    func register(on router: Router<BasicRequestContext>) {
        // Opened once: opening creates the catalog table in a write transaction.
        let evaluator = Result { try ModelEvaluator(store: routes.engine.lifecycle.store) }
        routes.on(router, .get, "/registry/evaluations") { _, _ in
            let evaluator = try evaluator.get()
            let evaluations = try await offloaded { try evaluator.all() }.sorted { ($0.datasetPath, $0.evaluatedAt) < ($1.datasetPath, $1.evaluatedAt) }
            return ["evaluations": .array(evaluations.map(Self.summary))]
        }
        routes.on(router, .get, "/registry/evaluations/compare") { request, _ in
            let parameters = request.uri.queryParameters
            for (key, _) in parameters where !["baseline", "candidate", "margin"].contains(String(key)) {
                throw APIError.badRequest("unknown query parameter `\(key)`: compare takes `baseline`, `candidate` (keys from GET /registry/evaluations) and `margin`")
            }
            guard let baselineKey = parameters.get("baseline"), let candidateKey = parameters.get("candidate") else {
                throw APIError.badRequest("`baseline` and `candidate` are required: keys from GET /registry/evaluations")
            }
            var margin = 0.01
            if let text = parameters.get("margin") {
                guard let value = Double(text), value >= 0, value <= 1 else { throw APIError.badRequest("`margin` must be a number from 0 to 1, got `\(text)`") }
                margin = value
            }
            let evaluator = try evaluator.get()
            let stored = try await offloaded { try evaluator.all() }
            func find(_ key: String) throws -> ModelEvaluation {
                guard let found = stored.first(where: { Self.key($0) == key }) else {
                    throw APIError.notFound("No stored evaluation has the key `\(key)`; GET /registry/evaluations lists them")
                }
                return found
            }
            let baseline = try find(baselineKey), candidate = try find(candidateKey)
            guard baseline.datasetPath == candidate.datasetPath, baseline.perQueryNDCG.count == candidate.perQueryNDCG.count,
                  !baseline.perQueryNDCG.isEmpty else {
                throw APIError.badRequest("the two evaluations are not on the same queries (datasets `\(baseline.datasetPath)` and `\(candidate.datasetPath)`)")
            }
            let comparison = try EvaluationComparison(baseline: baseline, candidate: candidate, margin: margin)
            // A registered dataset is read from its artifact; a directory from where it was evaluated.
            let engine = routes.engine
            let texts = try? await offloaded {
                try BEIRDataset.judgedQueries(directory: engine.lifecycle.datasets.resolve(baseline.datasetPath).directory)
            }
            let perQuery: [JSONValue] = zip(baseline.perQueryNDCG, candidate.perQueryNDCG).enumerated().map { index, pair in
                var row: [String: JSONValue] = ["query": .int(Int64(index)), "baseline": .double(pair.0), "candidate": .double(pair.1),
                                                "delta": .double(pair.1 - pair.0)]
                if let texts, texts.count == baseline.perQueryNDCG.count {
                    row["id"] = .string(texts[index].id)
                    row["text"] = .string(texts[index].text)
                }
                return .object(row)
            }
            return [
                "baseline": Self.summary(baseline), "candidate": Self.summary(candidate),
                "ndcg_delta": .double(comparison.ndcgDelta),
                "ndcg_delta_interval": .array([.double(comparison.ndcgDeltaInterval.low), .double(comparison.ndcgDeltaInterval.high)]),
                "margin": .double(margin), "passes": .bool(comparison.passes),
                "texts_available": .bool(texts != nil),
                "per_query": .array(perQuery),
            ]
        }
    }
}
