import VectorKernels

/// Exact top-k by brute force: one `cblas_sgemm` per block of queries x block of corpus rows,
/// then a bounded heap per query. It is the ground truth for every recall figure in the project
/// and the fallback for filters so selective that a graph walk would find too few matches.
public struct ExactSearch: Sendable {
    public let metric: Metric
    public let corpus: VectorMatrix
    /// Per corpus row: squared norm for l2, norm for cosine, unused for dot.
    private let rowNorms: [Float]

    static let queryBlock = 128
    static let corpusBlock = 2048

    public init(corpus: VectorMatrix, metric: Metric) {
        self.metric = metric
        self.corpus = corpus
        self.rowNorms = ExactSearch.norms(of: corpus, metric: metric)
    }

    /// The k nearest rows (ids are row numbers) for every query, closest first.
    /// Rows for which `accept` is false are never returned.
    public func search(_ queries: VectorMatrix, k: Int, accept: ((UInt32) -> Bool)? = nil) -> [[Neighbor]] {
        precondition(queries.dimension == corpus.dimension, "queries and corpus differ in dimension")
        return corpus.withUnsafeRows { rows in
            queries.withUnsafeRows { queryRows in
                ExactSearch.scan(
                    queries: queryRows, corpus: rows, corpusNorms: rowNorms,
                    dimension: corpus.dimension, metric: metric, k: k,
                    rowID: { UInt32($0) }, accept: accept)
            }
        }
    }

    /// Exact top-k among `candidates` only: the rows are gathered first, so the cost follows the
    /// number of candidates, not the size of the corpus.
    public func search(_ queries: VectorMatrix, k: Int, among candidates: [UInt32]) -> [[Neighbor]] {
        let subset = corpus.gathering(candidates.lazy.map { Int($0) })
        let norms = candidates.map { rowNorms.isEmpty ? 0 : rowNorms[Int($0)] }
        return subset.withUnsafeRows { rows in
            queries.withUnsafeRows { queryRows in
                ExactSearch.scan(
                    queries: queryRows, corpus: rows, corpusNorms: rowNorms.isEmpty ? [] : norms,
                    dimension: corpus.dimension, metric: metric, k: k,
                    rowID: { candidates[$0] }, accept: nil)
            }
        }
    }

    /// Exact top-k of `queries` against arbitrary `rows` whose ids are given by `ids`.
    /// Used where the vectors do not live in one matrix (the store's matching points).
    public static func search(
        _ queries: VectorMatrix, rows: VectorMatrix, ids: [UInt32], metric: Metric, k: Int
    ) -> [[Neighbor]] {
        precondition(rows.count == ids.count, "one id per row")
        let norms = ExactSearch.norms(of: rows, metric: metric)
        return rows.withUnsafeRows { corpusRows in
            queries.withUnsafeRows { queryRows in
                scan(
                    queries: queryRows, corpus: corpusRows, corpusNorms: norms,
                    dimension: rows.dimension, metric: metric, k: k,
                    rowID: { ids[$0] }, accept: nil)
            }
        }
    }

    static func norms(of matrix: VectorMatrix, metric: Metric) -> [Float] {
        guard metric != .dot else { return [] }
        return matrix.withUnsafeRows { rows in
            (0..<matrix.count).map { row in
                let slice = UnsafeBufferPointer(rebasing: rows[row * matrix.dimension ..< (row + 1) * matrix.dimension])
                let squared = VectorMath.squaredNorm(slice)
                return metric == .l2 ? squared : squared.squareRoot()
            }
        }
    }

    static func scan(
        queries: UnsafeBufferPointer<Float>, corpus: UnsafeBufferPointer<Float>, corpusNorms: [Float],
        dimension: Int, metric: Metric, k: Int,
        rowID: (Int) -> UInt32, accept: ((UInt32) -> Bool)?
    ) -> [[Neighbor]] {
        let queryCount = queries.count / dimension
        let corpusCount = corpus.count / dimension
        guard queryCount > 0 else { return [] }
        guard k > 0, corpusCount > 0 else { return Array(repeating: [], count: queryCount) }

        var selectors = (0..<queryCount).map { _ in TopKSelector(k: k) }
        let queryBlock = min(queryBlock, queryCount)
        let corpusBlock = min(corpusBlock, corpusCount)
        var products = [Float](repeating: 0, count: queryBlock * corpusBlock)
        let queryNorms = (0..<queryCount).map { query in
            VectorMath.squaredNorm(UnsafeBufferPointer(rebasing: queries[query * dimension ..< (query + 1) * dimension]))
        }

        products.withUnsafeMutableBufferPointer { productBuffer in
            for queryStart in stride(from: 0, to: queryCount, by: queryBlock) {
                let queriesHere = min(queryBlock, queryCount - queryStart)
                for rowStart in stride(from: 0, to: corpusCount, by: corpusBlock) {
                    let rowsHere = min(corpusBlock, corpusCount - rowStart)
                    BLAS.multiplyTransposed(
                        queries.baseAddress! + queryStart * dimension, rows: queriesHere,
                        corpus.baseAddress! + rowStart * dimension, rows: rowsHere,
                        depth: dimension, into: productBuffer.baseAddress!)
                    for localQuery in 0..<queriesHere {
                        let query = queryStart + localQuery
                        let productRow = productBuffer.baseAddress! + localQuery * rowsHere
                        let queryNorm = queryNorms[query]
                        for localRow in 0..<rowsHere {
                            let row = rowStart + localRow
                            let distance = ExactSearch.distance(
                                product: productRow[localRow], queryNorm: queryNorm,
                                rowNorm: corpusNorms.isEmpty ? 0 : corpusNorms[row], metric: metric)
                            guard distance < selectors[query].threshold else { continue }
                            let id = rowID(row)
                            if let accept, !accept(id) { continue }
                            selectors[query].offer(id: id, distance: distance)
                        }
                    }
                }
            }
        }
        return selectors.map { $0.sorted() }
    }

    @inline(__always)
    static func distance(product: Float, queryNorm: Float, rowNorm: Float, metric: Metric) -> Float {
        switch metric {
        case .l2:
            return max(0, queryNorm + rowNorm - 2 * product)
        case .dot:
            return 1 - product
        case .cosine:
            let denominator = queryNorm.squareRoot() * rowNorm
            return denominator > 0 ? 1 - product / denominator : 1
        }
    }
}
