import VectorFormats
import VectorIndex
import VectorKernels

/// Clustered synthetic sets shared by the index tests.
enum TestData {
    static func clustered(count: Int, dimension: Int, normalized: Bool = false, seed: UInt64 = 7, stream: UInt64 = 0) -> VectorMatrix {
        let generator = SyntheticVectors(dimension: dimension, clusters: 48, normalized: normalized, seed: seed)
        return VectorMatrix(dimension: dimension, values: generator.generate(count: count, stream: stream))
    }

    static func build(_ corpus: VectorMatrix, metric: Metric, threads: Int = 2, parameters: HNSWParameters = HNSWParameters()) throws -> HNSWIndex {
        let index = try HNSWIndex(dimension: corpus.dimension, metric: metric, parameters: parameters, capacity: corpus.count)
        try index.insert(contentsOf: corpus, ids: (0..<UInt32(corpus.count)).map { $0 }, threads: threads)
        return index
    }

    static func recall(_ index: HNSWIndex, queries: VectorMatrix, truth: [[Neighbor]], k: Int, ef: Int, filter: ((UInt32) -> Bool)? = nil) throws -> Double {
        var found: [[UInt32]] = []
        for row in 0..<queries.count {
            found.append(try index.search(Array(queries.row(row)), k: k, ef: ef, filter: filter).map(\.id))
        }
        return Recall.atK(found: found, truth: truth.map { $0.map(\.id) }, k: k)
    }
}
