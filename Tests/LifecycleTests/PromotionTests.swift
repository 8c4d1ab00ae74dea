import Embeddings
import Foundation
import Lifecycle
import Storage
import Testing
import VectorIndex

/// The lifecycle end to end: text documents on model A, builds, gates, promotion, refusal of a
/// worse model B, a better rebuild of A, rollback, and the audit trail of it all.
@Suite(.serialized) struct PromotionTests {
    struct Fixture {
        let directory: URL
        let engine: Engine
        let dataset: URL
        let good: SentenceEmbedder

        init() throws {
            directory = temporaryDataDirectory()
            dataset = directory.appendingPathComponent("beir")
            try ModelEvaluationTests.writeDataset(to: dataset)
            engine = try Engine(dataDirectory: directory.appendingPathComponent("data"), buildThreads: 2)
            let registry = try ModelRegistry(store: engine.store)
            try registry.register(directory: ModelRegistryTests.modelDirectory, name: "minilm", version: "1", registeredBy: "test")
            try registry.register(directory: ModelEvaluationTests.weakenedModel(in: directory), name: "minilm", version: "weak", registeredBy: "test")
            good = try engine.lifecycle.models.embedder(for: "minilm@1")
            let serving = try engine.createCollection(CollectionSchema(name: "docs", dimension: good.dimension, distance: .cosine,
                                                                       embeddingModel: "minilm@1"))
            let texts = ModelEvaluationTests.topics.flatMap(\.documents)
            let vectors = try good.embed(texts)
            try serving.upsert(texts.indices.map { row in
                PointInput(id: .number(UInt64(row)), vector: vectors[row], payload: .object([:]), text: texts[row])
            }, embeddedWith: "minilm@1")
        }

        func top(_ text: String, with embedder: SentenceEmbedder) throws -> (id: PointID, score: Float)? {
            let hit = try engine.collection(named: "docs").search(SearchRequest(vector: try embedder.embed(text), limit: 1, exact: true)).hits.first
            return hit.map { ($0.point.id, $0.score) }
        }
    }

    @Test("build, promote, refuse a worse model with its numbers, promote a better rebuild, roll back; all audited")
    func endToEnd() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let engine = fixture.engine
        let runner = BuildRunner(context: engine.lifecycle, threads: 2)
        let serving = try engine.collection(named: "docs")

        let first = try runner.run(collection: "docs", parameters: HNSWParameters(m: 16, efConstruction: 100, ef: 64))
        #expect(first.status == .ready && first.model == "minilm@1" && first.points == 16)
        let promoted = try engine.promote(collection: "docs", build: first.number, actor: "test")
        #expect(promoted.promoted && promoted.gate.passed && promoted.gate.recall.candidate >= 0.95, "\(promoted.gate)")
        #expect(serving.servingBuild == first.number)

        var gates = try engine.lifecycle.serving.record("docs").gates
        gates.evaluationDataset = fixture.dataset.path
        try GateSettingsChange(context: engine.lifecycle).apply(gates, to: "docs", actor: "test")

        let weak = try runner.run(collection: "docs", model: "minilm@weak")
        #expect(weak.status == .ready && weak.model == "minilm@weak")
        let registry = try ModelRegistry(store: engine.store)
        #expect(try registry.users(of: "minilm@weak", store: engine.store) == ["docs (build \(weak.number))"])
        #expect(try registry.users(of: "minilm@1", store: engine.store).first == "docs")
        let refused = try engine.promote(collection: "docs", build: weak.number, actor: "test")
        #expect(!refused.promoted && serving.servingBuild == first.number)
        let modelGate = try #require(refused.gate.model)
        #expect(!modelGate.passed && modelGate.candidateNDCG < modelGate.baselineNDCG - modelGate.margin)
        #expect(refused.gate.failures.contains { $0.contains("nDCG@10") })
        #expect(try engine.store.collection(named: "docs").schema().embeddingModel == "minilm@1")

        let better = try runner.run(collection: "docs", parameters: HNSWParameters(m: 16, efConstruction: 400, ef: 64))
        let second = try engine.promote(collection: "docs", build: better.number, actor: "test", reason: "higher ef_construct")
        #expect(second.promoted && second.gate.model == nil && second.gate.recall.production != nil)
        #expect(serving.servingBuild == better.number)

        let back = try engine.rollback(collection: "docs", actor: "test", reason: "drill")
        #expect(back.fromBuild == better.number && back.toBuild == first.number && serving.servingBuild == first.number)
        #expect(try fixture.top("A kitten chases a ball of yarn.", with: fixture.good)?.id == .number(1))

        let actions = try engine.lifecycle.audit.entries(of: "docs").map(\.action)
        #expect(actions == [.promote, .gatesChanged, .refused, .promote, .rollback])
        #expect(throws: LifecycleError.self) { try engine.promote(collection: "docs", build: 99, actor: "test") }
    }

    @Test("a forced switch to another model re-embeds writes for every index on the log, so a rollback finds them")
    func modelSwitchAndRollback() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let engine = fixture.engine
        let runner = BuildRunner(context: engine.lifecycle, threads: 2)
        let serving = try engine.collection(named: "docs")
        let first = try runner.run(collection: "docs")
        let initial = try engine.promote(collection: "docs", build: first.number, actor: "test")
        try #require(initial.promoted, "\(initial.gate)")
        let weak = try runner.run(collection: "docs", model: "minilm@weak")
        #expect(throws: LifecycleError.self) {
            try engine.promote(collection: "docs", build: weak.number, actor: "test", force: true)
        }
        let forced = try engine.promote(collection: "docs", build: weak.number, actor: "test", force: true, reason: "experiment")
        #expect(forced.promoted && forced.entry.forced && forced.entry.reason == "experiment")
        #expect(try serving.schema().embeddingModel == "minilm@weak" && serving.servingModel == "minilm@weak")
        // A process that stopped between the catalog write and the schema rebind leaves the
        // schema behind; following the catalog repairs it.
        try engine.store.bindEmbeddingModel(collection: "docs", model: "minilm@1")
        try serving.follow()
        #expect(try serving.schema().embeddingModel == "minilm@weak")

        // Written while model B serves: the stored vector is B's; a write embedded with A is refused.
        let weakEmbedder = try engine.lifecycle.models.embedder(for: "minilm@weak")
        let text = "Volcanoes erupt molten rock called lava."
        #expect(throws: LifecycleError.self) {
            try serving.upsert([PointInput(id: .number(100), vector: try fixture.good.embed(text), payload: .object([:]), text: text)],
                               embeddedWith: "minilm@1")
        }
        try serving.upsert([PointInput(id: .number(100), vector: try weakEmbedder.embed(text), payload: .object([:]), text: text)],
                           embeddedWith: "minilm@weak")
        let underB = try #require(try fixture.top(text, with: weakEmbedder))
        #expect(underB.id == .number(100) && underB.score > 0.999)

        try engine.rollback(collection: "docs", actor: "test")
        #expect(serving.servingBuild == first.number && serving.servingModel == "minilm@1")
        #expect(try serving.schema().embeddingModel == "minilm@1")
        // Build 1 caught up on the point written under B by embedding its text with A.
        let underA = try #require(try fixture.top(text, with: fixture.good))
        #expect(underA.id == .number(100) && underA.score > 0.999, "score \(underA.score)")
    }

    @Test("spare ready builds beyond keep_builds are retired; the serving build and the rollback target never are")
    func retention() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let engine = fixture.engine
        var gates = GateSettings()
        gates.keepBuilds = 1
        try GateSettingsChange(context: engine.lifecycle).apply(gates, to: "docs", actor: "test")
        let runner = BuildRunner(context: engine.lifecycle, threads: 2)
        var numbers: [Int] = []
        for _ in 0 ..< 2 {
            numbers.append(try runner.run(collection: "docs").number)
            _ = try engine.promote(collection: "docs", build: numbers.last!, actor: "test")
        }
        for _ in 0 ..< 3 { numbers.append(try runner.run(collection: "docs").number) }
        let statuses = Dictionary(uniqueKeysWithValues: try engine.lifecycle.builds.builds(of: "docs").map { ($0.number, $0.status) })
        #expect(statuses[numbers[1]] == .ready && statuses[numbers[0]] == .ready && statuses[numbers[4]] == .ready)
        #expect(statuses[numbers[2]] == .retired && statuses[numbers[3]] == .retired)
        #expect(!(try engine.store.buildIDs().contains("docs-\(numbers[2])")))
        try engine.rollback(collection: "docs", actor: "test")
        #expect(try engine.collection(named: "docs").servingBuild == numbers[0])
    }

    @Test("a ready build that does not serve follows the change log; a cancelled build is failed and never serves")
    func followingAndCancellation() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let engine = fixture.engine
        let runner = BuildRunner(context: engine.lifecycle, threads: 2)
        let spare = try runner.run(collection: "docs")
        let serving = try engine.collection(named: "docs")
        let text = "Glaciers carve valleys as they move."
        try serving.upsert([PointInput(id: .number(500), vector: try fixture.good.embed(text), payload: .object([:]), text: text)],
                           embeddedWith: "minilm@1")
        #expect(try engine.followReadyBuilds(of: "docs") == [spare.number])
        let followed = try #require(try engine.lifecycle.builds.build("docs", spare.number))
        #expect(followed.appliedSequence == serving.lastAppliedSequence && followed.points == 17)
        #expect(try engine.followReadyBuilds(of: "docs").isEmpty)
        _ = try engine.promote(collection: "docs", build: spare.number, actor: "test")
        #expect(try fixture.top(text, with: fixture.good)?.id == .number(500))

        let cancellation = BuildCancellation()
        cancellation.cancel()
        let cancelled = try runner.run(collection: "docs", cancellation: cancellation)
        #expect(cancelled.status == .failed && cancelled.failure == "the build was cancelled")
        #expect(!(try engine.store.buildIDs().contains(cancelled.id)))
        #expect(throws: LifecycleError.buildNotServable(collection: "docs", number: cancelled.number, status: "failed")) {
            try engine.promote(collection: "docs", build: cancelled.number, actor: "test")
        }
    }

    @Test("with a query log, the recall gate measures candidate and production on the logged queries")
    func recallFromQueryLog() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory, buildThreads: 2)
        let serving = try engine.createCollection(CollectionSchema(name: "v", dimension: 24, distance: .euclid))
        try serving.upsert(points(clustered(3_000, dimension: 24)))
        let runner = BuildRunner(context: engine.lifecycle, threads: 2)
        let first = try runner.run(collection: "v")
        #expect(first.recall?.querySource == "held_out_vectors")
        #expect(try engine.promote(collection: "v", build: first.number, actor: "test").promoted)
        for query in clustered(120, dimension: 24, stream: 9) { _ = try serving.search(SearchRequest(vector: query, limit: 10)) }
        #expect(serving.queryLog.count == 120 && serving.queryLog.entries.allSatisfy { $0.build == first.number && $0.scores.count == 10 })
        let second = try runner.run(collection: "v")
        let outcome = try engine.promote(collection: "v", build: second.number, actor: "test")
        #expect(outcome.gate.recall.querySource == "query_log" && outcome.gate.recall.queries == 120)
        #expect(outcome.gate.recall.production != nil && outcome.promoted)
    }

    @Test("the first promotion keeps the original index, so a rollback to it works without a stored image")
    func rollbackToOriginalIndex() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory, buildThreads: 2)
        let serving = try engine.createCollection(CollectionSchema(name: "o", dimension: 16, distance: .euclid))
        let vectors = clustered(2_000, dimension: 16)
        try serving.upsert(points(vectors))
        let build = try BuildRunner(context: engine.lifecycle, threads: 2).run(collection: "o")
        #expect(try engine.promote(collection: "o", build: build.number, actor: "test").promoted)
        try serving.upsert(points([vectors[0]], firstID: 5_000))
        let back = try engine.rollback(collection: "o", actor: "test")
        #expect(back.toBuild == 0 && serving.servingBuild == 0 && serving.liveCount == 2_001)
        let hit = try serving.search(SearchRequest(vector: vectors[0], limit: 2, exact: true)).hits.map(\.point.id)
        #expect(Set(hit) == [.number(0), .number(5_000)])
        #expect(throws: LifecycleError.nothingToRollBack("o")) { try engine.rollback(collection: "o", actor: "test") }
    }
}
