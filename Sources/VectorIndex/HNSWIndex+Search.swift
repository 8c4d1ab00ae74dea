import Synchronization
import CVectorKernels
import VectorKernels

/// Decides which slots a search may return; every slot may still be traversed.
protocol SlotAcceptance {
    func accepts(_ slot: UInt32, in view: GraphView) -> Bool
}

/// Construction and searches of an index without deletions: no per-node check at all.
struct AcceptEverySlot: SlotAcceptance {
    @inline(__always) func accepts(_ slot: UInt32, in view: GraphView) -> Bool { true }
}

struct AcceptLiveSlots: SlotAcceptance {
    @inline(__always) func accepts(_ slot: UInt32, in view: GraphView) -> Bool { !view.isDeleted(slot) }
}

struct AcceptLiveMatching: SlotAcceptance {
    let predicate: (UInt32) -> Bool
    @inline(__always) func accepts(_ slot: UInt32, in view: GraphView) -> Bool {
        !view.isDeleted(slot) && predicate(view.labels[Int(slot)])
    }
}

extension HNSWIndex {
    /// The k nearest live vectors to `query`, closest first.
    ///
    /// - Parameters:
    ///   - ef: beam width at level 0 (defaults to the index's `ef`; raised to `k` when smaller).
    ///   - filter: when given, only ids for which it returns true are returned. Filtered-out
    ///     nodes are still traversed, so the graph stays connected for the walk.
    public func search(_ query: [Float], k: Int, ef: Int? = nil, filter: ((UInt32) -> Bool)? = nil) throws(IndexError) -> [Neighbor] {
        guard query.count == dimension else { throw .dimensionMismatch(expected: dimension, actual: query.count) }
        guard k > 0 else { return [] }
        let beam = max(ef ?? parameters.ef, k)
        return query.withUnsafeBufferPointer { queryBuffer in
            structureLock.withReadLock {
                let view = storage.view
                // A float walk over paged vectors (a query that ignores the codes) maps them.
                if view.paged != nil { notePagedVectorsMapped(view) }
                return scratchPool.withScratch(capacity: view.capacity) { scratch in
                    let queryPointer = FloatDistance(query: prepareQuery(queryBuffer, scratch: scratch), kernel: kernel, dimension: dimension)
                    if let filter {
                        return searchNearest(view, queryPointer, k: k, ef: beam, accept: AcceptLiveMatching(predicate: filter), scratch: scratch)
                    }
                    if deletedCount.load(ordering: .relaxed) > 0 {
                        return searchNearest(view, queryPointer, k: k, ef: beam, accept: AcceptLiveSlots(), scratch: scratch)
                    }
                    return searchNearest(view, queryPointer, k: k, ef: beam, accept: AcceptEverySlot(), scratch: scratch)
                }
            }
        }
    }

    /// Cosine indexes hold unit vectors, so the query is normalised into scratch space once.
    func prepareQuery(_ query: UnsafeBufferPointer<Float>, scratch: SearchScratch) -> UnsafePointer<Float> {
        guard metric.normalizesVectors else { return query.baseAddress! }
        let buffer = UnsafeMutableBufferPointer(start: scratch.queryBuffer, count: dimension)
        _ = buffer.initialize(from: query)
        VectorMath.normalize(buffer)
        return UnsafePointer(scratch.queryBuffer)
    }

    func searchNearest<Acceptance: SlotAcceptance, Distance: SlotDistance>(
        _ view: GraphView, _ query: Distance, k: Int, ef: Int, accept: Acceptance, scratch: SearchScratch
    ) -> [Neighbor] {
        nearestSlots(view, query, k: k, ef: ef, accept: accept, scratch: scratch)
            .map { Neighbor(id: view.labels[Int($0.slot)], distance: $0.distance) }
    }

    /// Beam width of the descent through the upper levels. One (the paper's greedy walk) stops
    /// at the first node none of whose few upper-level neighbours is closer; on clustered data
    /// that is often a node of another cluster, and the level-0 beam then has to cross between
    /// clusters on the rare links that join them, which at 1M x 128 it failed to do for 1% of
    /// queries at any ef. Four nodes carried from level to level leave no query in the wrong
    /// cluster there, for a few dozen extra distances per query.
    static var upperBeamWidth: Int { 4 }

    /// The descent through the upper levels and the beam search at level 0: the `k` closest
    /// accepted slots, closest first.
    func nearestSlots<Acceptance: SlotAcceptance, Distance: SlotDistance>(
        _ view: GraphView, _ query: Distance, k: Int, ef: Int, accept: Acceptance, scratch: SearchScratch
    ) -> [HeapEntry] {
        let start = entry.withLock { $0 }
        guard let entrySlot = start.slot else { return [] }
        scratch.seeds[0] = HeapEntry(distance: query.distance(to: entrySlot, in: view), slot: entrySlot)
        var seedCount = 1
        if start.level > 0 {
            for level in stride(from: start.level, through: 1, by: -1) {
                searchLayer(view, query, seeds: seedCount, ef: HNSWIndex.upperBeamWidth, level: level, accept: AcceptEverySlot(), lockNodes: false, scratch: scratch)
                seedCount = scratch.takeResultsAsSeeds()
            }
        }
        searchLayer(view, query, seeds: seedCount, ef: ef, level: 0, accept: accept, lockNodes: false, scratch: scratch)
        var results = scratch.results
        while results.count > k { results.pop() }
        var found = [HeapEntry](repeating: HeapEntry(distance: 0, slot: 0), count: results.count)
        var index = results.count - 1
        while !results.isEmpty {
            found[index] = results.pop()
            index -= 1
        }
        scratch.results = results
        return found
    }

    /// The beam search of the paper (Algorithm 2), started from the first `seeds` entries of
    /// `scratch.seeds`. Leaves up to `ef` accepted nodes in `scratch.results` (a max-heap on
    /// distance).
    ///
    /// With `lockNodes` (during construction) each neighbour list is copied out under its
    /// node's lock; searches read lists in place, clamping counts and ids so a list being
    /// rewritten by a concurrent insert can only yield a slightly stale neighbour, never a
    /// read outside the graph.
    func searchLayer<Acceptance: SlotAcceptance, Distance: SlotDistance>(
        _ view: GraphView, _ query: Distance, seeds: Int,
        ef: Int, level: Int, accept: Acceptance, lockNodes: Bool, scratch: SearchScratch
    ) {
        let epoch = scratch.beginQuery(capacity: view.capacity)
        let visited = scratch.visitedTags
        var candidates = scratch.candidates
        var results = scratch.results
        candidates.removeAll()
        results.removeAll()
        defer {
            scratch.candidates = candidates
            scratch.results = results
        }
        let limit = UInt32(allocatedSlots.load(ordering: .acquiring))
        let maxNeighbors = view.maxNeighbors(level: level)
        let buffer = scratch.neighborBuffer
        let unvisited = scratch.unvisitedBuffer
        let measured = scratch.distanceBuffer

        for index in 0..<seeds {
            let seed = scratch.seeds[index]
            guard visited[Int(seed.slot)] != epoch else { continue }
            visited[Int(seed.slot)] = epoch
            candidates.push(-seed.distance, seed.slot)
            if accept.accepts(seed.slot, in: view) { results.push(seed.distance, seed.slot) }
        }
        while results.count > ef { results.pop() }
        var lowerBound = results.isEmpty ? Float.infinity : results.top.distance

        while !candidates.isEmpty {
            let closest = candidates.top
            if -closest.distance > lowerBound && results.count >= ef { break }
            candidates.pop()

            let links: UnsafeMutablePointer<UInt32>
            let count: Int
            if lockNodes {
                view.lock(closest.slot)
                let source = view.links(closest.slot, level: level)
                count = min(Int(source[0]), maxNeighbors)
                buffer.update(from: source + 1, count: count)
                view.unlock(closest.slot)
                links = buffer
            } else {
                let source = view.links(closest.slot, level: level)
                count = min(Int(lodestone_atomic_load_u32(source)), maxNeighbors)
                links = source + 1
            }
            // Gather, then measure: the neighbours' visited tags are read back to back and every
            // unvisited neighbour's row is asked for before the first distance, so their cache
            // misses overlap instead of arriving one distance at a time.
            var fresh = 0
            for index in 0..<count {
                let neighbor = links[index]
                guard neighbor < limit, visited[Int(neighbor)] != epoch else { continue }
                visited[Int(neighbor)] = epoch
                query.prefetch(neighbor, in: view)
                unvisited[fresh] = neighbor
                fresh += 1
            }
            query.distances(to: unvisited, count: fresh, in: view, into: measured)
            for index in 0..<fresh {
                let neighbor = unvisited[index]
                let distance = measured[index]
                if results.count < ef || distance < lowerBound {
                    candidates.push(-distance, neighbor)
                    if accept.accepts(neighbor, in: view) {
                        results.push(distance, neighbor)
                        if results.count > ef { results.pop() }
                        lowerBound = results.top.distance
                    }
                }
            }
        }
    }
}
