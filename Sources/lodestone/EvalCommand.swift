import ArgumentParser
import Foundation
import Lifecycle
import Storage

/// `lodestone eval` and `lodestone eval compare`: retrieval quality of registered models on a
/// labelled (BEIR-format) set.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate registered embedding models on a BEIR-format dataset (recall@10, nDCG@10, MRR@10).",
        subcommands: [Run.self, Compare.self],
        defaultSubcommand: Run.self
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Evaluate one model and store the result.")
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Registered model, NAME@VERSION (not needed for --pipeline bm25).") var model: String?
        @Option(help: "BEIR directory: corpus.jsonl, queries.jsonl, qrels/test.tsv.") var dataset: String
        @Option(help: "dense (the model), bm25 (server-side BM25), or hybrid (RRF of both, prefetch 20 each, k 2).") var pipeline = "dense"
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            if model == nil, pipeline.lowercased() != "bm25" { throw ValidationError("--model is needed for the \(pipeline) pipeline") }
        }

        func run() throws {
            let store = try Store(directory: URL(fileURLWithPath: data))
            let chosen = try RetrievalPipeline(parsing: pipeline)
            let evaluation = try EvalCommand.evaluate(model: model ?? "bm25", dataset: dataset, store: store, reuse: false, pipeline: chosen)
            if json {
                try EvalCommand.printJSON(evaluation)
            } else {
                print(String(format: "%@ (%@) on %@ (%d queries): recall@10 %.4f  nDCG@10 %.4f  MRR@10 %.4f",
                             evaluation.model, chosen.description, evaluation.dataset, evaluation.queries, evaluation.recallAt10,
                             evaluation.ndcgAt10, evaluation.mrrAt10))
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare model B with model A on the same queries.",
            discussion: "Exits 0 when B would pass the evaluation gate and 2 when it would be refused; the numbers are printed either way.")
        @Option(help: "Data directory.") var data: String = "./data"
        @Argument(help: "Baseline model A, NAME@VERSION.") var baseline: String
        @Argument(help: "Candidate model B, NAME@VERSION.") var candidate: String
        @Option(help: "BEIR directory.") var dataset: String
        @Option(help: "How far B's nDCG@10 may fall below A's and still pass.") var margin: Double = 0.01
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let store = try Store(directory: URL(fileURLWithPath: data))
            // The same pairing as the promotion gate: a dataset changed since a stored evaluation is evaluated again.
            let pair = try ModelEvaluator(store: store).comparable(baseline: baseline, candidate: candidate, datasetPath: dataset,
                                                                   by: localUser, models: try ModelLoader(store: store)) { message in
                FileHandle.standardError.write(Data("\(message)\n".utf8))
            }
            let (a, b) = (pair.baseline, pair.candidate)
            let comparison = try EvaluationComparison(baseline: a, candidate: b, margin: margin)
            if json {
                let object: [String: Any] = [
                    "baseline": baseline, "candidate": candidate, "dataset": a.dataset, "queries": a.queries,
                    "recall@10": [a.recallAt10, b.recallAt10], "ndcg@10": [a.ndcgAt10, b.ndcgAt10], "mrr@10": [a.mrrAt10, b.mrrAt10],
                    "ndcg@10_delta": comparison.ndcgDelta,
                    "ndcg@10_delta_ci95": [comparison.ndcgDeltaInterval.low, comparison.ndcgDeltaInterval.high],
                    "margin": margin, "passes": comparison.passes,
                ]
                try printJSONObject(object)
                // As `promote`: 2 when B would be refused, so a CI job can gate on the exit code.
                if !comparison.passes { throw ExitCode(2) }
                return
            }
            print("dataset \(a.dataset), \(a.queries) queries")
            print("metric      \(baseline.padding(toLength: 18, withPad: " ", startingAt: 0)) \(candidate.padding(toLength: 18, withPad: " ", startingAt: 0)) delta")
            for (name, x, y) in [("recall@10", a.recallAt10, b.recallAt10), ("nDCG@10", a.ndcgAt10, b.ndcgAt10), ("MRR@10", a.mrrAt10, b.mrrAt10)] {
                print(name.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "%-18.4f %-18.4f %+.4f", x, y, y - x))
            }
            print(String(format: "nDCG@10 delta 95%% CI (paired bootstrap): [%+.4f, %+.4f]", comparison.ndcgDeltaInterval.low, comparison.ndcgDeltaInterval.high))
            print(comparison.passes
                  ? String(format: "%@ would pass the gate (nDCG@10 not more than %.3f below %@)", candidate, margin, baseline)
                  : String(format: "%@ would be refused: nDCG@10 is %.4f below %@ (margin %.3f)", candidate, -comparison.ndcgDelta, baseline, margin))
            if !comparison.passes { throw ExitCode(2) }
        }
    }

    static func evaluate(model: String, dataset: String, store: Store, reuse: Bool, pipeline: RetrievalPipeline = .dense) throws -> ModelEvaluation {
        try ModelEvaluator(store: store).evaluation(of: model, datasetPath: dataset, by: localUser, reuse: reuse,
                                                   models: ModelLoader(store: store), pipeline: pipeline) { message in
            FileHandle.standardError.write(Data("\(message)\n".utf8))
        }
    }

    static func printJSON(_ evaluation: ModelEvaluation) throws {
        try printJSONObject([
            "model": evaluation.model, "dataset": evaluation.dataset, "queries": evaluation.queries,
            "pipeline": (evaluation.pipeline ?? .dense).description,
            "recall@10": evaluation.recallAt10, "ndcg@10": evaluation.ndcgAt10, "mrr@10": evaluation.mrrAt10,
        ])
    }
}
