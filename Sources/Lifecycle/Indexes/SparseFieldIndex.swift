import Foundation
import Storage
import VectorIndex

/// A sparse vector name served by an inverted index: exact top-k by dot product (with IDF
/// when the modifier asks for it), with the filter checked per candidate.
final class SparseFieldIndex: FieldIndex {
    let index: SparseInvertedIndex
    let modifier: SparseModifier

    init(index: SparseInvertedIndex, modifier: SparseModifier) {
        self.index = index
        self.modifier = modifier
    }

    var kind: String { "sparse" }
    var liveCount: Int { index.liveCount }
    var higherIsBetter: Bool { true }
    func contains(id: UInt32) -> Bool { index.contains(id: id) }

    var scoring: SparseScoring { modifier == .idf ? .idf : .dot }

    func insert(_ vector: StoredVector, id: UInt32) throws {
        guard case let .sparse(value) = vector else { throw LifecycleError.invalidRequest("a dense vector cannot go into a sparse index") }
        try index.insert(id: id, vector: try Self.convert(value), length: value.length)
    }

    func remove(id: UInt32) throws { try index.delete(id: id) }

    func search(_ query: QueryVector, _ search: FieldSearch) throws -> [ScoredID] {
        let (vector, scoring) = try sparse(query)
        let filter = search.candidates.map(\.test)
        return try index.search(vector, k: search.k, scoring: scoring, filter: filter).map { ScoredID(id: $0.id, score: $0.score) }
    }

    func scores(_ query: QueryVector, ids: [UInt32]) throws -> [Float?] {
        let (vector, scoring) = try sparse(query)
        return try ids.map { try index.score(id: $0, query: vector, scoring: scoring) }
    }

    func denseVector(id: UInt32) -> [Float]? { nil }

    func snapshot() -> Data { index.snapshot() }

    static func convert(_ value: SparseVectorValue) throws -> SparseVector {
        try SparseVector(indices: value.indices, values: value.values)
    }

    /// The query's terms and how to score them: a vector the client sent by dot product (with
    /// IDF under the `idf` modifier), BM25 terms by BM25 with the live statistics.
    private func sparse(_ query: QueryVector) throws -> (SparseVector, SparseScoring) {
        switch query {
        case let .sparse(value): return (try Self.convert(value), scoring)
        case let .bm25(terms, parameters):
            return (try Self.convert(terms), .bm25(k1: parameters.k1, b: parameters.b, averageLength: parameters.averageLength))
        case .dense:
            throw LifecycleError.invalidRequest("a dense query cannot search a sparse vector; send {\"indices\": [...], \"values\": [...]}")
        }
    }
}
