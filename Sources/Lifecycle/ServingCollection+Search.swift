import Synchronization
import Storage
import VectorIndex

extension ServingCollection {
    /// The maximum of `limit + offset`.
    public static let maximumResultWindow = 10_000

    /// Nearest neighbours of `request.vector`, with payloads and vectors as asked.
    public func search(_ request: SearchRequest) throws -> (hits: [SearchHit], plan: SearchPlan) {
        guard let window = try validatedWindow(request) else { return ([], request.exact ? .exactScan : .graph) }

        // One snapshot: the index searched and the build it is logged under agree even if a
        // promotion swaps them meanwhile.
        let current = withServing { $0 }
        let arm = monitoring.route(request)
        let start = ContinuousClock.now
        var answer: (neighbors: [Neighbor], plan: SearchPlan)
        if let canary = arm {
            do {
                answer = try nearest(request, k: window, index: canary.index)
                monitoring.recordCanary(canary, latency: ContinuousClock.now - start, failed: false)
            } catch {
                // The user gets production's answer; the canary is charged with the error.
                monitoring.recordCanary(canary, latency: ContinuousClock.now - start, failed: true)
                answer = try nearest(request, k: window, index: current.index)
            }
        } else {
            answer = try nearest(request, k: window, index: current.index)
            monitoring.recordProduction(latency: ContinuousClock.now - start)
        }
        let (neighbors, plan) = answer
        monitoring.shadow(request, k: window, production: neighbors, latency: ContinuousClock.now - start, collection: self)
        let hits = try self.hits(neighbors, request)
        queryLog.record(build: arm?.build ?? current.build, vector: request.vector, text: request.text, scores: hits.map(\.score))
        return (hits, plan)
    }

    /// `limit + offset` after checking the request; nil when nothing is asked for.
    func validatedWindow(_ request: SearchRequest) throws -> Int? {
        guard request.vector.count == dimension else {
            throw LifecycleError.queryDimensionMismatch(expected: dimension, actual: request.vector.count)
        }
        guard request.vector.allSatisfy(\.isFinite) else {
            throw LifecycleError.invalidRequest("query vector contains NaN or infinite values")
        }
        guard request.limit >= 0, request.offset >= 0 else {
            throw LifecycleError.invalidRequest("limit and offset must not be negative")
        }
        let window = request.limit + request.offset
        guard window <= Self.maximumResultWindow else {
            throw LifecycleError.limitTooLarge(limit: window, maximum: Self.maximumResultWindow)
        }
        if let ef = request.ef, !(1...100_000).contains(ef) {
            throw LifecycleError.invalidRequest("hnsw_ef must be between 1 and 100000, got \(ef)")
        }
        return window > 0 ? window : nil
    }

    /// The page of `neighbors` the request asks for, with payloads and vectors read.
    func hits(_ neighbors: [Neighbor], _ request: SearchRequest) throws -> [SearchHit] {
        // The threshold goes first, so points it drops are never read.
        let page = neighbors.dropFirst(request.offset).map { neighbor in
            (id: neighbor.id, score: distance.score(fromDistance: neighbor.distance))
        }.filter { scored in
            request.scoreThreshold.map { distance.passes(score: scored.score, threshold: $0) } ?? true
        }
        let points = try store.points(internalIDs: page.map(\.id), withVector: request.withVector, withPayload: request.withPayload)
        var hits: [SearchHit] = []
        hits.reserveCapacity(page.count)
        for (scored, point) in zip(page, points) {
            // A point deleted between the index walk and the read is simply left out.
            guard let point else { continue }
            hits.append(SearchHit(point: point, score: scored.score))
        }
        return hits
    }

    func nearest(_ request: SearchRequest, k: Int, index: HNSWIndex) throws -> ([Neighbor], SearchPlan) {
        let field = DenseFieldIndex(index: index, distance: distance)
        var search = FieldSearch(k: k, ef: request.ef, exact: request.exact, candidates: nil, quantization: request.quantization)
        guard let filter = request.filter else { return try field.nearest(request.vector, search) }
        let limit = DenseFieldIndex.exactLimit(vectorLayout.hnsw, dimension: dimension, liveCount: index.liveCount)
        return try store.withFilterScope { scope in
            search.candidates = CandidateSet(try scope.access(filter, exactLimit: limit))
            return try field.nearest(request.vector, search)
        }
    }
}
