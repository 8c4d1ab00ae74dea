import Synchronization
import Storage

extension ServingCollection {
    /// The pipeline plain text queries are answered with now.
    public var servingPipeline: ServingPipeline { pipelineState.withLock { $0 } }

    /// Installs the pipeline the catalog records (a change in this process, or the follower's
    /// turn after a change made elsewhere).
    func servePipeline(_ pipeline: ServingPipeline) {
        pipelineState.withLock { $0 = pipeline }
    }

    /// The query tree of a plain text query under the serving pipeline: the dense search
    /// alone, or the dense search and BM25 prefetched and fused by RRF.
    public func textQuery(vector: [Float], bm25Terms: QueryVector, limit: Int, filter: Filter?, ef: Int?, exact: Bool,
                          scoreThreshold: Float?) -> QueryNode {
        let pipeline = servingPipeline
        guard pipeline.kind == .hybrid, let sparse = pipeline.sparseVector else {
            return QueryNode(query: .nearest(.dense(vector)), filter: filter, limit: limit, ef: ef, exact: exact, scoreThreshold: scoreThreshold)
        }
        let window = max(pipeline.prefetchLimit, limit)
        return QueryNode(prefetch: [QueryNode(query: .nearest(.dense(vector)), limit: window, ef: ef, exact: exact),
                                    QueryNode(query: .nearest(bm25Terms), using: sparse, limit: window)],
                         query: .fusion(.rrf(k: pipeline.rrfK)), filter: filter, limit: limit, scoreThreshold: scoreThreshold)
    }
}
