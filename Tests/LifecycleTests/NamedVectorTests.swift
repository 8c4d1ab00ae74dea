import Foundation
import Lifecycle
import Storage
import Testing

/// Collections with several dense vectors and sparse vectors: each kept in its own index, in
/// step with writes, across reopen, and reached through the query planner.
@Suite struct NamedVectorTests {
    static func schema() -> CollectionSchema {
        CollectionSchema(name: "multi", dimension: 4, distance: .cosine, vectorName: "dense",
                         namedVectors: ["small": DenseVectorConfiguration(dimension: 2, distance: .euclid)],
                         sparseVectors: ["words": SparseVectorConfiguration(modifier: .none)])
    }

    static func input(_ id: UInt64, dense: [Float]?, small: [Float]?, words: [(UInt32, Float)]?) throws -> PointInput {
        var point = PointInput(id: .number(id), vector: dense ?? [])
        if let small { point.namedVectors["small"] = small }
        if let words { point.sparseVectors["words"] = try SparseVectorValue(indices: words.map(\.0), values: words.map(\.1)) }
        return point
    }

    static func sparseQuery(_ pairs: [(UInt32, Float)]) throws -> QueryNode {
        QueryNode(query: .nearest(.sparse(try SparseVectorValue(indices: pairs.map(\.0), values: pairs.map(\.1)))), using: "words")
    }

    @Test("each vector name is searched in its own index, and points may lack any vector")
    func namedAndSparseSearch() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory)
        let collection = try engine.createCollection(Self.schema())
        try collection.upsert([
            try Self.input(1, dense: [1, 0, 0, 0], small: [0, 0], words: [(3, 1), (9, 2)]),
            try Self.input(2, dense: [0, 1, 0, 0], small: [5, 5], words: [(9, 1)]),
            try Self.input(3, dense: nil, small: [1, 1], words: nil),
        ])
        let sparse = try collection.query(QueryRequest(root: try Self.sparseQuery([(9, 1), (4, 7)]))).hits
        #expect(sparse.map(\.point.id) == [.number(1), .number(2)])
        #expect(sparse.map(\.score) == [2, 1])
        let small = try collection.query(QueryRequest(root: QueryNode(query: .nearest(.dense([1, 1.2])), using: "small", limit: 3))).hits
        #expect(small.map(\.point.id) == [.number(3), .number(1), .number(2)])
        let dense = try collection.query(QueryRequest(root: QueryNode(query: .nearest(.dense([0, 1, 0, 0])), limit: 5))).hits
        #expect(dense.map(\.point.id) == [.number(2), .number(1)], "a point without the primary vector is not in its index")
        #expect(throws: LifecycleError.self) {
            try collection.query(QueryRequest(root: QueryNode(query: .nearest(.dense([1, 1])), using: "missing")))
        }
    }

    @Test("replacing, updating and deleting vectors keeps every index exact, also after reopening")
    func writesAndReopen() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let engine = try Engine(dataDirectory: directory)
            let collection = try engine.createCollection(Self.schema())
            try collection.upsert([
                try Self.input(1, dense: [1, 0, 0, 0], small: nil, words: [(3, 1)]),
                try Self.input(2, dense: [0, 1, 0, 0], small: nil, words: [(3, 2)]),
            ])
            try collection.updateVectors([VectorUpdate(id: .number(1), sparseVectors: ["words": try SparseVectorValue(indices: [3], values: [5])])])
            try collection.deleteVectors(["words"], for: .ids([.number(2)]))
            try collection.persistIndex()
            try collection.upsert([try Self.input(4, dense: [0, 0, 1, 0], small: nil, words: [(3, 0.5)])])
        }
        let reopened = try Engine(dataDirectory: directory).collection(named: "multi")
        let hits = try reopened.query(QueryRequest(root: try Self.sparseQuery([(3, 1)]))).hits
        #expect(hits.map(\.point.id) == [.number(1), .number(4)])
        #expect(hits.map(\.score) == [5, 0.5])
        #expect(try reopened.store.get(ids: [.number(2)]).first?.vector == [0, 1, 0, 0], "removing one vector keeps the others")
    }

    @Test("RRF and DBSF fuse prefetch lists as Qdrant computes them")
    func fusion() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collection = try Engine(dataDirectory: directory).createCollection(Self.schema())
        try collection.upsert([
            try Self.input(1, dense: [1, 0, 0, 0], small: nil, words: [(1, 1)]),
            try Self.input(2, dense: [0.9, 0.1, 0, 0], small: nil, words: [(1, 3)]),
            try Self.input(3, dense: [0, 1, 0, 0], small: nil, words: [(1, 2)]),
        ])
        let prefetch = [QueryNode(query: .nearest(.dense([1, 0, 0, 0])), limit: 3), try Self.sparseQuery([(1, 1)])]
        let rrf = try collection.query(QueryRequest(root: QueryNode(prefetch: prefetch, query: .fusion(.rrf(k: 2)), limit: 3))).hits
        // Dense order 1, 2, 3; sparse order 2, 3, 1.
        let expected: [UInt64: Float] = [1: 1.0 / 2 + 1.0 / 4, 2: 1.0 / 3 + 1.0 / 2, 3: 1.0 / 4 + 1.0 / 3]
        #expect(rrf.map(\.point.id) == [.number(2), .number(1), .number(3)])
        for hit in rrf { if case let .number(id) = hit.point.id { #expect(abs(hit.score - expected[id]!) < 1e-6) } }
        let dbsf = try collection.query(QueryRequest(root: QueryNode(prefetch: prefetch, query: .fusion(.dbsf), limit: 3))).hits
        #expect(dbsf.count == 3)
        #expect(dbsf.first?.point.id == .number(2))
    }

    @Test("a collection of sparse vectors only serves, reopens, and refuses builds and primary-vector queries")
    func sparseOnly() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let schema = CollectionSchema(name: "words", dimension: 0, distance: .dot, vectorName: "",
                                      sparseVectors: ["text": SparseVectorConfiguration(modifier: .idf)])
        do {
            let collection = try Engine(dataDirectory: directory).createCollection(schema)
            var point = PointInput(id: .number(1), vector: [])
            point.sparseVectors["text"] = try SparseVectorValue(indices: [4], values: [2])
            try collection.upsert([point])
            try collection.persistIndex()
        }
        let engine = try Engine(dataDirectory: directory)
        let reopened = try engine.collection(named: "words")
        let query = QueryNode(query: .nearest(.sparse(try SparseVectorValue(indices: [4], values: [1]))), using: "text")
        #expect(try reopened.query(QueryRequest(root: query)).hits.map(\.point.id) == [.number(1)])
        #expect(throws: LifecycleError.self) { try reopened.query(QueryRequest(root: QueryNode(query: .nearest(.dense([1]))))) }
        #expect(throws: LifecycleError.self) { try BuildRunner(store: engine.store).begin(collection: "words") }
        #expect(try reopened.schema().vectorNames == ["text"])
    }
}
