import Foundation
import Lifecycle
import Storage
import Testing

/// Evaluation datasets as immutable artifacts, and evaluations reused only while the model's
/// and the dataset's digests both match.
@Suite(.serialized) struct DatasetArtifactTests {
    @Test("a registered dataset is an immutable copy; other files under its version are refused; verify re-hashes it")
    func registerAndVerify() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("beir")
        try ModelEvaluationTests.writeDataset(to: source)
        let datasets = try DatasetRegistry(store: try Store(directory: directory.appendingPathComponent("data")))
        let record = try datasets.register(directory: source, name: "topics", version: "1", registeredBy: "t")
        #expect(record.documents == 16 && record.queries == 4)
        let digest = try DatasetRegistry.digest(of: source)
        #expect(record.digest == digest)
        #expect(try datasets.register(directory: source, name: "topics", version: "1", registeredBy: "t") == record)
        try "query-id\tcorpus-id\tscore\nq0\td0-0\t1\n".write(to: source.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        #expect(throws: RegistryError.self) { try datasets.register(directory: source, name: "topics", version: "1", registeredBy: "t") }
        try FileManager.default.removeItem(at: source)
        let resolved = try datasets.resolve("topics@1")
        let copy = try BEIRDataset(directory: resolved.directory)
        #expect(resolved.digest == record.digest && copy.queries.count == 4)
        #expect(datasets.verify(record).isEmpty)
        #expect(throws: RegistryError.datasetNotFound("topics@2")) { try datasets.resolve("topics@2") }
    }

    @Test("a stored evaluation is reused only while the dataset's digest matches; a changed directory is evaluated again")
    func evaluationsFollowDigests() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("beir")
        try ModelEvaluationTests.writeDataset(to: source)
        let store = try Store(directory: directory.appendingPathComponent("data"))
        let model = try ModelRegistry(store: store).register(directory: ModelRegistryTests.modelDirectory, name: "minilm", version: "1", registeredBy: "t")
        let evaluator = try ModelEvaluator(store: store)
        let models = try ModelLoader(store: store)
        let first = try evaluator.evaluation(of: "minilm@1", datasetPath: source.path, by: "first", reuse: true, models: models)
        let digest = try DatasetRegistry.digest(of: source)
        #expect(first.modelDigest == model.digest && first.datasetDigest == digest)
        #expect(try evaluator.evaluation(of: "minilm@1", datasetPath: source.path, by: "second", reuse: true, models: models).evaluatedBy == "first")
        // The directory changes under the same path: the stored evaluation no longer describes it.
        let queries = source.appendingPathComponent("queries.jsonl")
        let lines = try String(contentsOf: queries, encoding: .utf8).split(separator: "\n").dropLast()
        try lines.joined(separator: "\n").write(to: queries, atomically: true, encoding: .utf8)
        let again = try evaluator.evaluation(of: "minilm@1", datasetPath: source.path, by: "third", reuse: true, models: models)
        #expect(again.evaluatedBy == "third" && again.queries == 3 && again.datasetDigest != first.datasetDigest)
        // A registered dataset is evaluated from its copy, under its reference.
        _ = try DatasetRegistry(store: store).register(directory: source, name: "topics", version: "1", registeredBy: "t")
        let registered = try evaluator.evaluation(of: "minilm@1", datasetPath: "topics@1", by: "fourth", reuse: true, models: models)
        #expect(registered.dataset == "topics" && registered.datasetPath == "topics@1" && registered.queries == 3)
    }
}
