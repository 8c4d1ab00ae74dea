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

    /// The descent through the upper levels and the beam search at level 0: the `k` closest
    /// accepted slots, closest first.
    func nearestSlots<Acceptance: SlotAcceptance, Distance: SlotDistance>(
        _ view: GraphView, _ query: Distance, k: Int, ef: Int, accept: Acceptance, scratch: SearchScratch
    ) -> [HeapEntry] {
        let start = entry.withLock { $0 }
        guard let entrySlot = start.slot else { return [] }
        var current = entrySlot
        var currentDistance = query.distance(to: current, in: view)
        if start.level > 0 {
            for level in stride(from: start.level, through: 1, by: -1) {
                (current, currentDistance) = greedyClosest(view, query, from: current, distance: currentDistance, level: level, lockNodes: false)
            }
        }
        searchLayer(view, query, entry: current, entryDistance: currentDistance, ef: ef, level: 0, accept: accept, lockNodes: false, scratch: scratch)
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

    /// Walks to the closest node at `level`, one improving hop at a time (the ef = 1 search).
    @inline(__always)
    func greedyClosest<Distance: SlotDistance>(
        _ view: GraphView, _ query: Distance, from start: UInt32, distance startDistance: Float,
        level: Int, lockNodes: Bool
    ) -> (UInt32, Float) {
        var current = start
        var currentDistance = startDistance
        let limit = UInt32(allocatedSlots.load(ordering: .acquiring))
        var improved = true
        while improved {
            improved = false
            let node = current
            if lockNodes { view.lock(node) }
            let links = view.links(node, level: level)
            let count = min(Int(links[0]), view.maxNeighbors(level: level))
            var index = 1
            while index <= count {
                let candidate = links[index]
                index += 1
                guard candidate < limit else { continue }
                let distance = query.distance(to: candidate, in: view)
                if distance < currentDistance {
                    currentDistance = distance
                    current = candidate
                    improved = true
                }
            }
            if lockNodes { view.unlock(node) }
        }
        return (current, currentDistance)
    }

    /// The beam search of the paper (Algorithm 2). Leaves up to `ef` accepted nodes in
    /// `scratch.results` (a max-heap on distance).
    ///
    /// With `lockNodes` (during construction) each neighbour list is copied out under its
    /// node's lock; searches read lists in place, clamping counts and ids so a list being
    /// rewritten by a concurrent insert can only yield a slightly stale neighbour, never a
    /// read outside the graph.
    func searchLayer<Acceptance: SlotAcceptance, Distance: SlotDistance>(
        _ view: GraphView, _ query: Distance, entry: UInt32, entryDistance: Float,
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

        var lowerBound = Float.infinity
        if accept.accepts(entry, in: view) {
            results.push(entryDistance, entry)
            lowerBound = entryDistance
        }
        candidates.push(-entryDistance, entry)
        visited[Int(entry)] = epoch

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
