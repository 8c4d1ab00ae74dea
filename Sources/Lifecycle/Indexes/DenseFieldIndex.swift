import Foundation
import Storage
import VectorIndex

/// A dense vector name served by HNSW. A filter that admits few points is answered by an
/// exact scan of those points; otherwise the filter is checked at each visited node.
final class DenseFieldIndex: FieldIndex {
    let index: HNSWIndex
    let distance: Distance

    init(index: HNSWIndex, distance: Distance) {
        self.index = index
        self.distance = distance
    }

    var kind: String { "dense (\(index.dimension) dimensions)" }
    var liveCount: Int { index.liveCount }
    var higherIsBetter: Bool { distance.higherScoreIsBetter }
    func contains(id: UInt32) -> Bool { index.contains(id: id) }

    /// Filters matching at most this many points are answered by an exact scan of the matches:
    /// a graph walk would have to visit ~k/selectivity nodes to find them, and the scan is both
    /// exact and cheaper there.
    static func exactCandidateLimit(liveCount: Int) -> Int { max(2_000, liveCount / 20) }

    func insert(_ vector: StoredVector, id: UInt32) throws {
        guard case let .dense(values) = vector else { throw LifecycleError.invalidRequest("a sparse vector cannot go into a \(kind) index") }
        try index.insert(values, id: id)
    }

    func remove(id: UInt32) throws { try index.delete(id: id) }

    func search(_ query: QueryVector, _ search: FieldSearch) throws -> [ScoredID] {
        try nearest(try dense(query), search).neighbors.map { ScoredID(id: $0.id, score: distance.score(fromDistance: $0.distance)) }
    }

    /// The graph or exact answer and which of the two it was.
    func nearest(_ vector: [Float], _ search: FieldSearch) throws -> (neighbors: [Neighbor], plan: SearchPlan) {
        let ef = search.ef ?? index.parameters.ef
        guard let candidates = search.candidates else {
            if search.exact { return (try index.exactSearch(vector, k: search.k), .exactScan) }
            return (try index.search(vector, k: search.k, ef: ef), .graph)
        }
        if search.exact || candidates.count <= Self.exactCandidateLimit(liveCount: index.liveCount) {
            return (try index.exactSearch(vector, k: search.k, among: candidates.sortedIDs), .exactCandidates)
        }
        // The beam holds only matching nodes, so a sparser filter needs a wider one to see as
        // many graph neighbourhoods as an unfiltered search would.
        let selectivity = Double(candidates.count) / Double(max(index.liveCount, 1))
        let widened = selectivity < 0.25 ? max(ef, 2 * search.k) * 2 : max(ef, search.k)
        return (try index.search(vector, k: search.k, ef: widened, filter: candidates.contains), .filteredGraph)
    }

    func scores(_ query: QueryVector, ids: [UInt32]) throws -> [Float?] {
        let vector = try dense(query)
        guard !ids.isEmpty else { return [] }
        let found = try index.exactSearch(vector, k: ids.count, among: ids)
        let byID = Dictionary(found.map { ($0.id, distance.score(fromDistance: $0.distance)) }, uniquingKeysWith: { first, _ in first })
        return ids.map { byID[$0] }
    }

    func denseVector(id: UInt32) -> [Float]? { index.vector(id: id) }

    func snapshot() -> Data { index.snapshot() }

    private func dense(_ query: QueryVector) throws -> [Float] {
        guard case let .dense(vector) = query else {
            // Sparse and BM25 queries name their vector with `using`.
            throw LifecycleError.invalidRequest("a sparse query cannot search a \(kind) vector")
        }
        guard vector.count == index.dimension else {
            throw LifecycleError.queryDimensionMismatch(expected: index.dimension, actual: vector.count)
        }
        return vector
    }
}
