import Foundation
import Lifecycle
import Storage
import Testing
import VectorIndex

@Suite struct BuildRunnerTests {
    @Test("a build is numbered, catches up on the log, stores its index and reports recall; weak parameters report lower recall")
    func buildAndMeasure() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(directory: directory)
        let collection = try store.createCollection(CollectionSchema(name: "c", dimension: 32, distance: .euclid))
        _ = try collection.upsert(points(clustered(4_000, dimension: 32)))
        let runner = try BuildRunner(store: store, threads: 2)
        let good = try runner.run(collection: "c", parameters: HNSWParameters(m: 16, efConstruction: 200, ef: 64))
        #expect(good.number == 1 && good.status == .ready && good.points == 4_000)
        #expect(good.appliedSequence == (try collection.lastSequence()))
        let recall = try #require(good.recall)
        #expect(recall.recall >= 0.95 && recall.queries == 200 && recall.querySource == "held_out_vectors")
        #expect(try store.build(id: good.id).blobs.get(name: "serving-index") != nil)

        let weak = try runner.run(collection: "c", parameters: HNSWParameters(m: 2, efConstruction: 4, ef: 1))
        #expect(weak.number == 2)
        #expect(try #require(weak.recall).recall < recall.recall - 0.1)
        let catalog = try BuildCatalog(store: store)
        #expect(try catalog.builds(of: "c").map(\.number) == [1, 2])
        #expect(try catalog.failInterruptedBuilds().isEmpty)
    }

    @Test("bad parameters fail the build with the reason recorded")
    func failedBuild() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(directory: directory)
        _ = try store.createCollection(CollectionSchema(name: "c", dimension: 4, distance: .cosine))
        #expect(throws: IndexError.self) { try BuildRunner(store: store).run(collection: "c", parameters: HNSWParameters(m: 1)) }
        #expect(throws: StorageError.self) { try BuildRunner(store: store).run(collection: "missing") }
    }
}
