import Foundation
import Lifecycle
import Storage
import Testing
import VectorFormats
import VectorIndex
import VectorKernels

func temporaryDataDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("lodestone-engine-\(UUID().uuidString)")
}

func clustered(_ count: Int, dimension: Int, stream: UInt64 = 0) -> [[Float]] {
    let values = SyntheticVectors(dimension: dimension, clusters: 24, seed: 5).generate(count: count, stream: stream)
    return (0..<count).map { Array(values[($0 * dimension)..<(($0 + 1) * dimension)]) }
}

func points(_ vectors: [[Float]], firstID: UInt64 = 0) -> [PointInput] {
    vectors.enumerated().map { offset, vector in
        let id = firstID + UInt64(offset)
        return PointInput(id: .number(id), vector: vector, payload: .object([
            "group": .string(id % 10 == 0 ? "rare" : "common"),
            "n": .int(Int64(id)),
        ]))
    }
}

@Suite struct ServingCollectionTests {
    @Test("an acknowledged upsert, replace or delete is visible to the very next search")
    func writesAreVisible() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory)
        let collection = try engine.createCollection(CollectionSchema(name: "docs", dimension: 8, distance: .euclid))
        let vectors = clustered(500, dimension: 8)
        try collection.upsert(points(vectors))
        let first = try collection.search(SearchRequest(vector: vectors[42], limit: 1)).hits
        #expect(first.first?.point.id == .number(42))
        #expect(first.first?.score ?? 1 < 1e-3)

        let moved = vectors[42].map { $0 + 100 }
        try collection.upsert([PointInput(id: .number(42), vector: moved)])
        #expect(try collection.search(SearchRequest(vector: moved, limit: 1)).hits.first?.point.id == .number(42))
        let nearOld = try collection.search(SearchRequest(vector: vectors[42], limit: 5, withVector: true)).hits
        #expect(nearOld.allSatisfy { $0.point.vector != vectors[42] }, "the old vector is gone from the index")

        try collection.delete(.ids([.number(7)]))
        let afterDelete = try collection.search(SearchRequest(vector: vectors[7], limit: 10)).hits
        #expect(!afterDelete.contains { $0.point.id == .number(7) })
        #expect(collection.liveCount == 499)
    }

    @Test("a reopened collection loads its stored index and answers exactly as before")
    func reopenUsesImage() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vectors = clustered(3_000, dimension: 16)
        let queries = clustered(40, dimension: 16, stream: 1)
        var before: [[PointID]] = []
        do {
            let engine = try Engine(dataDirectory: directory)
            let collection = try engine.createCollection(CollectionSchema(name: "c", dimension: 16, distance: .cosine))
            try collection.upsert(points(vectors))
            try collection.persistIndex()
            before = try queries.map { try collection.search(SearchRequest(vector: $0, limit: 10, ef: 32)).hits.map(\.point.id) }
        }
        let reopened = try Engine(dataDirectory: directory).collection(named: "c")
        #expect(reopened.loadedFromImage)
        let after = try queries.map { try reopened.search(SearchRequest(vector: $0, limit: 10, ef: 32)).hits.map(\.point.id) }
        #expect(after == before)
    }

    @Test("writes after the last stored image are replayed from the change log on open")
    func catchUpFromLog() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vectors = clustered(1_200, dimension: 12)
        do {
            let engine = try Engine(dataDirectory: directory)
            let collection = try engine.createCollection(CollectionSchema(name: "c", dimension: 12, distance: .euclid))
            try collection.upsert(points(Array(vectors[0..<1_000])))
            try collection.persistIndex()
            // Not persisted: only the change log knows about these.
            try collection.upsert(points(Array(vectors[1_000...]), firstID: 1_000))
            try collection.delete(.ids([.number(3)]))
        }
        let reopened = try Engine(dataDirectory: directory).collection(named: "c")
        #expect(reopened.loadedFromImage)
        #expect(reopened.liveCount == 1_199)
        for id in [1_000, 1_100, 1_199] {
            let hits = try reopened.search(SearchRequest(vector: vectors[id], limit: 1, exact: true)).hits
            #expect(hits.first?.point.id == .number(UInt64(id)))
        }
        #expect(try !reopened.search(SearchRequest(vector: vectors[3], limit: 20, exact: true)).hits.contains { $0.point.id == .number(3) })
    }

    @Test("score threshold, offset and payload/vector selection behave as in Qdrant")
    func resultShaping() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory)
        let collection = try engine.createCollection(CollectionSchema(name: "s", dimension: 2, distance: .cosine))
        try collection.upsert([
            PointInput(id: .number(1), vector: [1, 0], payload: .object(["k": .int(1)])),
            PointInput(id: .number(2), vector: [0.8, 0.6]),
            PointInput(id: .number(3), vector: [0, 1]),
        ])
        let all = try collection.search(SearchRequest(vector: [1, 0], limit: 3)).hits
        #expect(all.map(\.point.id) == [.number(1), .number(2), .number(3)])
        #expect(abs(all[0].score - 1) < 1e-5 && abs(all[1].score - 0.8) < 1e-5)
        let thresholded = try collection.search(SearchRequest(vector: [1, 0], limit: 3, scoreThreshold: 0.5)).hits
        #expect(thresholded.map(\.point.id) == [.number(1), .number(2)])
        let paged = try collection.search(SearchRequest(vector: [1, 0], limit: 1, offset: 1)).hits
        #expect(paged.map(\.point.id) == [.number(2)])
        let bare = try collection.search(SearchRequest(vector: [1, 0], limit: 1, withPayload: false)).hits
        #expect(bare[0].point.payload.isEmpty && bare[0].point.vector == nil)
        let withVector = try collection.search(SearchRequest(vector: [1, 0], limit: 1, withVector: true)).hits
        #expect(withVector[0].point.vector == [1, 0])
    }

    @Test("bad input is a typed error and changes neither the store nor the index")
    func badInput() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory)
        let collection = try engine.createCollection(CollectionSchema(name: "b", dimension: 3, distance: .cosine))
        try collection.upsert([PointInput(id: .number(1), vector: [1, 2, 3])])
        #expect(throws: StorageError.self) { try collection.upsert([PointInput(id: .number(2), vector: [1, 2])]) }
        #expect(throws: StorageError.self) { try collection.upsert([PointInput(id: .number(2), vector: [1, .nan, 2])]) }
        #expect(throws: StorageError.self) { try collection.upsert([PointInput(id: .number(2), vector: [1, 2, 2], payload: .array([]))]) }
        #expect(throws: LifecycleError.queryDimensionMismatch(expected: 3, actual: 2)) { try collection.search(SearchRequest(vector: [1, 2])) }
        #expect(throws: LifecycleError.self) { try collection.search(SearchRequest(vector: [1, 2, .infinity])) }
        #expect(throws: LifecycleError.self) { try collection.search(SearchRequest(vector: [1, 2, 3], limit: 1_000_000)) }
        #expect(throws: StorageError.self) { try engine.createCollection(CollectionSchema(name: "b", dimension: 3, distance: .cosine)) }
        #expect(throws: StorageError.self) { try engine.collection(named: "missing") }
        #expect(collection.liveCount == 1)
        #expect(try collection.store.count() == 1)
    }
}
