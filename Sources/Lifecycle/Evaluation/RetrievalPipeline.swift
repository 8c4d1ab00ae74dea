import Embeddings
import Foundation
import VectorIndex
import VectorKernels

/// How a collection answers a text query: the dense model alone, BM25 alone, or both fused
/// with RRF over prefetch lists of `prefetchLimit` each (the plan the server runs for a
/// hybrid query: two prefetches, then `{"rrf": {"k": rrfK}}`).
public enum RetrievalPipeline: Sendable, Hashable, Codable, CustomStringConvertible {
    case dense
    case bm25
    case hybrid(prefetchLimit: Int, rrfK: Int)

    public static let defaultHybrid = RetrievalPipeline.hybrid(prefetchLimit: 20, rrfK: 2)

    public init(parsing name: String) throws {
        switch name.lowercased() {
        case "dense": self = .dense
        case "bm25": self = .bm25
        case "hybrid": self = .defaultHybrid
        default: throw LifecycleError.invalidRequest("pipeline `\(name)` is not one of dense, bm25, hybrid")
        }
    }

    public var description: String {
        switch self {
        case .dense: "dense"
        case .bm25: "bm25"
        case let .hybrid(limit, k): "hybrid(rrf k=\(k), prefetch \(limit))"
        }
    }

    var needsModel: Bool { self != .bm25 }
}

/// Ranks a BEIR set's corpus for its queries under a pipeline, with the same building blocks
/// the server uses (exact dense search, the sparse inverted index with BM25, RRF).
struct PipelineRanking {
    let dataset: BEIRDataset
    let cutoff: Int

    /// For each query, the ranked corpus positions (best first, at most `cutoff`).
    func rank(_ pipeline: RetrievalPipeline, embedder: SentenceEmbedder?, progress: (@Sendable (String) -> Void)?) throws -> [[Int]] {
        switch pipeline {
        case .dense:
            return try dense(embedder: try require(embedder), k: cutoff, progress: progress)
        case .bm25:
            return try bm25(k: cutoff, progress: progress)
        case let .hybrid(limit, rrfK):
            let denseLists = try dense(embedder: try require(embedder), k: limit, progress: progress)
            let sparseLists = try bm25(k: limit, progress: progress)
            return zip(denseLists, sparseLists).map { denseList, sparseList in
                let lists = [denseList, sparseList].map { list in list.map { ScoredID(id: UInt32($0), score: 0) } }
                return ScoreFusion.fuse(lists, .rrf(k: rrfK)).prefix(cutoff).map { Int($0.id) }
            }
        }
    }

    private func require(_ embedder: SentenceEmbedder?) throws -> SentenceEmbedder {
        guard let embedder else { throw LifecycleError.invalidRequest("the dense and hybrid pipelines need a model (--model NAME@VERSION)") }
        return embedder
    }

    private func dense(embedder: SentenceEmbedder, k: Int, progress: (@Sendable (String) -> Void)?) throws -> [[Int]] {
        progress?("embedding \(dataset.corpus.count) documents")
        let documents = try embedder.embed(dataset.corpus.map(\.text))
        progress?("embedding \(dataset.queries.count) queries")
        let queries = try embedder.embed(dataset.queries.map(\.text))
        let corpus = VectorMatrix(dimension: embedder.dimension, values: documents.flatMap { $0 })
        return ExactSearch(corpus: corpus, metric: .cosine)
            .search(VectorMatrix(dimension: embedder.dimension, values: queries.flatMap { $0 }), k: k)
            .map { $0.map { Int($0.id) } }
    }

    private func bm25(k: Int, progress: (@Sendable (String) -> Void)?) throws -> [[Int]] {
        progress?("indexing \(dataset.corpus.count) documents for BM25")
        let encoder = BM25Encoder()
        let index = SparseInvertedIndex()
        for (position, document) in dataset.corpus.enumerated() {
            let terms = encoder.termFrequencies(document.text)
            guard !terms.indices.isEmpty else { continue }
            try index.insert(id: UInt32(position), vector: try SparseVector(indices: terms.indices, values: terms.values),
                             length: Float(terms.length))
        }
        let scoring = SparseScoring.bm25(k1: 1.2, b: 0.75, averageLength: nil)
        return try dataset.queries.map { query in
            let terms = encoder.queryTerms(query.text)
            guard !terms.indices.isEmpty else { return [] }
            return try index.search(try SparseVector(indices: terms.indices, values: terms.values), k: k, scoring: scoring).map { Int($0.id) }
        }
    }
}
