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

    /// Gives the graph quantized codes when the schema asks for them (a graph loaded from an
    /// image or built carries none: codes are derived from the vectors, not stored). The graph
    /// trains them once it holds enough vectors and again as it grows (`HNSWIndex.quantize`).
    /// Without settings the graph drops any codes it has and walks the floats. Its float vectors
    /// go where `placement` puts them.
    func quantize(_ settings: QuantizationSettings?, placing placement: VectorPlacement) { index.quantize(settings, placing: placement) }

    var kind: String { "dense (\(index.dimension) dimensions)" }
    var liveCount: Int { index.liveCount }
    var higherIsBetter: Bool { distance.higherScoreIsBetter }
    func contains(id: UInt32) -> Bool { index.contains(id: id) }

    /// Filters matching fewer points than this are answered by an exact scan of the matches:
    /// Qdrant's absolute `full_scan_threshold`, and never less than 2% of the collection, below
    /// which no graph walk finds the matches reliably (recall@10 0.55-0.70 measured at 1% with
    /// either walk, `lodestone bench-filtered --full-scan-threshold 100`).
    static func exactLimit(_ settings: HNSWSettings, dimension: Int, liveCount: Int) -> Int {
        max(settings.exactScanLimit(dimension: dimension), liveCount / 50)
    }

    func insert(_ vector: StoredVector, id: UInt32) throws {
        guard case let .dense(values) = vector else { throw LifecycleError.invalidRequest("a sparse vector cannot go into a \(kind) index") }
        try index.insert(values, id: id)
    }

    func remove(id: UInt32) throws { try index.delete(id: id) }

    func search(_ query: QueryVector, _ search: FieldSearch) throws -> [ScoredID] {
        try nearest(try dense(query), search).neighbors.map { ScoredID(id: $0.id, score: distance.score(fromDistance: $0.distance)) }
    }

    /// The graph or exact answer and which of the two it was. The planner has already chosen:
    /// matches it listed are few enough for an exact scan; otherwise the walk checks each node.
    func nearest(_ vector: [Float], _ search: FieldSearch) throws -> (neighbors: [Neighbor], plan: SearchPlan) {
        let ef = search.ef ?? index.parameters.ef
        // An index holding codes walks them unless the query says `ignore`.
        let quantized = index.quantizer == nil ? nil : (search.quantization ?? QuantizationParameters()).search
        guard let candidates = search.candidates else {
            if search.exact { return (try index.exactSearch(vector, k: search.k), .exactScan) }
            if let quantized { return (try index.search(vector, k: search.k, ef: ef, quantization: quantized), .quantizedGraph) }
            return (try index.search(vector, k: search.k, ef: ef), .graph)
        }
        if let listed = candidates.listedIDs {
            return (try index.exactSearch(vector, k: search.k, among: listed), .exactCandidates)
        }
        if search.exact {
            return (try index.exactSearch(vector, k: search.k, among: try candidates.allMatches()), .exactCandidates)
        }
        // The walk crosses non-matching nodes and tests only those about to enter the results.
        // Its beam holds `ef` matches, so it already explores about ef / selectivity nodes: it
        // is not widened (doubling it at 10% cost half the QPS for recall 0.9995 instead of
        // RECALL_UNWIDENED at 1M x 128, `lodestone bench-filtered`). Confining the walk to
        // the matching subgraph, two hops at a time as in ACORN-1, gave the same QPS at
        // recall 0.82.
        let found = try quantized.map { try index.search(vector, k: search.k, ef: max(ef, search.k), filter: candidates.test, quantization: $0) }
            ?? index.search(vector, k: search.k, ef: max(ef, search.k), filter: candidates.test)
        guard found.count < search.k, found.count < index.liveCount else { return (found, .filteredGraph) }
        // Fewer than asked: either the filter admits fewer points, or the walk missed them
        // because the estimate was high. The exact scan settles both.
        return (try index.exactSearch(vector, k: search.k, among: try candidates.allMatches()), .exactCandidates)
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
