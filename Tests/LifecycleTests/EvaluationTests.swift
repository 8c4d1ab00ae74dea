import Foundation
import Lifecycle
import Storage
import Testing

@Suite struct RetrievalMetricTests {
    @Test("recall, nDCG and MRR at 10 match hand-computed values")
    func handComputed() {
        let relevant = ["a": 2, "b": 1, "c": 1]
        let ranked = ["x", "a", "y", "b"]
        #expect(abs(RetrievalMetrics.recall(ranked: ranked, relevant: relevant, k: 10) - 2.0 / 3.0) < 1e-12)
        #expect(RetrievalMetrics.reciprocalRank(ranked: ranked, relevant: relevant, k: 10) == 0.5)
        let dcg = 2 / log2(3.0) + 1 / log2(5.0)
        let ideal = 2 / log2(2.0) + 1 / log2(3.0) + 1 / log2(4.0)
        #expect(abs(RetrievalMetrics.ndcg(ranked: ranked, relevant: relevant, k: 10) - dcg / ideal) < 1e-12)
        #expect(RetrievalMetrics.ndcg(ranked: ["a", "b", "c"], relevant: relevant, k: 10) == 1)
        #expect(RetrievalMetrics.reciprocalRank(ranked: ["x"], relevant: relevant, k: 10) == 0)
        let interval = RetrievalMetrics.pairedBootstrap([0.5, 0.5, 0.5, 0.5], [0.6, 0.7, 0.6, 0.7])
        #expect(interval.low >= 0.1 - 1e-9 && interval.high <= 0.2 + 1e-9 && interval.low <= interval.high)
    }
}

@Suite(.serialized) struct ModelEvaluationTests {
    static let topics: [(query: String, documents: [String])] = [
        ("How do cats behave at home?", ["Cats sleep most of the day on warm sofas.", "A kitten chases a ball of yarn.",
                                          "House cats purr when they are content.", "The cat scratched the living room chair."]),
        ("What happens when central banks raise interest rates?", ["The central bank raised its policy rate by half a point.",
                                          "Higher interest rates make mortgages more expensive.", "Bond yields rose after the rate decision.",
                                          "Inflation pushed the bank to tighten monetary policy."]),
        ("How do plants make energy from sunlight?", ["Photosynthesis turns light into chemical energy.",
                                          "Chlorophyll absorbs red and blue light.", "Leaves take in carbon dioxide and release oxygen.",
                                          "Plants store energy from the sun as glucose."]),
        ("Tips for training for a marathon", ["Long slow runs build endurance for race day.", "Runners taper their mileage before a marathon.",
                                          "Good running shoes reduce the risk of injury.", "Interval training improves running speed."]),
    ]

    /// Writes a BEIR-format set: four topics, each query relevant to its four documents.
    static func writeDataset(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        var corpus: [String] = [], queries: [String] = [], qrels = ["query-id\tcorpus-id\tscore"]
        for (topic, entry) in topics.enumerated() {
            queries.append(#"{"_id": "q\#(topic)", "text": "\#(entry.query)"}"#)
            for (index, document) in entry.documents.enumerated() {
                corpus.append(#"{"_id": "d\#(topic)-\#(index)", "title": "", "text": "\#(document)"}"#)
                qrels.append("q\(topic)\td\(topic)-\(index)\t1")
            }
        }
        try corpus.joined(separator: "\n").write(to: directory.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try queries.joined(separator: "\n").write(to: directory.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        try qrels.joined(separator: "\n").write(to: directory.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
    }

    /// The same weights with one encoder layer and CLS pooling: a deliberately worse model.
    static func weakenedModel(in directory: URL) throws -> URL {
        let copy = directory.appendingPathComponent("weak-model")
        try FileManager.default.copyItem(at: ModelRegistryTests.modelDirectory, to: copy)
        let configURL = copy.appendingPathComponent("config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as! [String: Any]
        config["num_hidden_layers"] = 1
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        let pooling = copy.appendingPathComponent("1_Pooling/config.json")
        var poolingConfig = try JSONSerialization.jsonObject(with: Data(contentsOf: pooling)) as! [String: Any]
        poolingConfig["pooling_mode_mean_tokens"] = false
        poolingConfig["pooling_mode_cls_token"] = true
        try JSONSerialization.data(withJSONObject: poolingConfig).write(to: pooling)
        return copy
    }

    @Test("a good model scores high on a labelled set, a weakened one lower, and the comparison gates it")
    func evaluateAndCompare() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let datasetDirectory = directory.appendingPathComponent("beir")
        try Self.writeDataset(to: datasetDirectory)
        let store = try Store(directory: directory.appendingPathComponent("data"))
        let registry = try ModelRegistry(store: store)
        let good = try registry.register(directory: ModelRegistryTests.modelDirectory, name: "minilm", version: "1", registeredBy: "t")
        let weak = try registry.register(directory: try Self.weakenedModel(in: directory), name: "minilm", version: "weak", registeredBy: "t")
        #expect(weak.layers == 1 && weak.pooling == "cls")
        let dataset = try BEIRDataset(directory: datasetDirectory)
        #expect(dataset.corpus.count == 16 && dataset.queries.count == 4)
        let evaluator = try ModelEvaluator(store: store)
        let a = try evaluator.evaluate(good, on: dataset, datasetPath: datasetDirectory.path, by: "t")
        let b = try evaluator.evaluate(weak, on: dataset, datasetPath: datasetDirectory.path, by: "t")
        #expect(a.ndcgAt10 > 0.9 && a.recallAt10 > 0.9 && a.mrrAt10 > 0.9, "good model: \(a.ndcgAt10) \(a.recallAt10) \(a.mrrAt10)")
        #expect(b.ndcgAt10 < a.ndcgAt10, "weakened model: \(b.ndcgAt10) vs \(a.ndcgAt10)")
        #expect(try evaluator.stored(model: "minilm@1", datasetPath: datasetDirectory.path) == a)
        let comparison = try EvaluationComparison(baseline: a, candidate: b)
        #expect(!comparison.passes)
        #expect(comparison.ndcgDeltaInterval.low <= comparison.ndcgDelta && comparison.ndcgDelta <= comparison.ndcgDeltaInterval.high)
        #expect(try EvaluationComparison(baseline: a, candidate: a).passes)
    }

    @Test("a gate comparing a stored evaluation with a fresh one on a changed dataset evaluates both again; different query sets are an error, not a trap")
    func changedDatasetIsEvaluatedAgain() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let datasetDirectory = directory.appendingPathComponent("beir")
        try Self.writeDataset(to: datasetDirectory)
        let store = try Store(directory: directory.appendingPathComponent("data"))
        let registry = try ModelRegistry(store: store)
        _ = try registry.register(directory: ModelRegistryTests.modelDirectory, name: "minilm", version: "1", registeredBy: "t")
        _ = try registry.register(directory: try Self.weakenedModel(in: directory), name: "minilm", version: "weak", registeredBy: "t")
        let evaluator = try ModelEvaluator(store: store)
        let models = try ModelLoader(store: store)
        let stored = try evaluator.evaluation(of: "minilm@1", datasetPath: datasetDirectory.path, by: "t", reuse: true, models: models)
        #expect(stored.queries == 4)
        // The set loses a query after the baseline was stored.
        let queries = datasetDirectory.appendingPathComponent("queries.jsonl")
        let lines = try String(contentsOf: queries, encoding: .utf8).split(separator: "\n").dropLast()
        try lines.joined(separator: "\n").write(to: queries, atomically: true, encoding: .utf8)
        let fresh = try evaluator.evaluation(of: "minilm@weak", datasetPath: datasetDirectory.path, by: "t", reuse: true, models: models)
        #expect(fresh.queries == 3)
        #expect(throws: LifecycleError.self) { try EvaluationComparison(baseline: stored, candidate: fresh) }
        let pair = try evaluator.comparable(baseline: "minilm@1", candidate: "minilm@weak", datasetPath: datasetDirectory.path, by: "t", models: models)
        #expect(pair.baseline.queries == 3 && pair.candidate.queries == 3)
        #expect(try !EvaluationComparison(baseline: pair.baseline, candidate: pair.candidate).passes)
    }

    @Test("a malformed dataset is an error naming the file and line")
    func malformedDataset() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.writeDataset(to: directory)
        try "q0\td0-0".write(to: directory.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.malformed(path: directory.appendingPathComponent("qrels/test.tsv").path, line: 1,
                                                 reason: "expected query-id<TAB>corpus-id<TAB>score")) {
            try BEIRDataset(directory: directory)
        }
        #expect(throws: EvaluationError.self) { try BEIRDataset(directory: directory.appendingPathComponent("missing")) }
    }
}
