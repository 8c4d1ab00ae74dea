import Synchronization
import CVectorKernels
import Foundation
import VectorKernels

extension HNSWIndex {
    /// Adds `vector` under `id`. Safe to call from many threads at once.
    public func insert(_ vector: [Float], id: UInt32) throws(IndexError) {
        try vector.withUnsafeBufferPointer { buffer throws(IndexError) in try insert(buffer, id: id) }
    }

    public func insert(_ vector: UnsafeBufferPointer<Float>, id: UInt32) throws(IndexError) {
        try validate(vector)
        // Shared with other inserts, exclusive with a snapshot (which leaves searches running).
        let reserved: Result<Void, IndexError> = mutationLock.withReadLock {
            do throws(IndexError) { try reserveID(id) } catch { return .failure(error) }
            link(vector, id: id)
            return .success(())
        }
        try reserved.get()
        trainQuantizerInBackgroundIfDue()
    }

    private func link(_ vector: UnsafeBufferPointer<Float>, id: UInt32) {
        let slot = claimSlot()
        let level = HNSWIndex.level(for: id, parameters: parameters)
        structureLock.withReadLock {
            let view = storage.view
            if view.paged != nil { notePagedVectorsMapped(view) }
            writeNode(view, slot: slot, id: id, level: level, vector: vector)
            scratchPool.withScratch(capacity: view.capacity) { scratch in
                let current = entry.withLock { $0 }
                if level > current.level {
                    levelRaise.withLock { _ in
                        let latest = entry.withLock { $0 }
                        link(view, slot: slot, level: level, from: latest, scratch: scratch)
                        if level > latest.level {
                            entry.withLock { $0 = EntryPoint(slot: slot, level: level) }
                        }
                    }
                } else {
                    link(view, slot: slot, level: level, from: current, scratch: scratch)
                }
            }
        }
        slotsByID.withLock { $0[id] = slot }
    }

    /// The level of a node, drawn from the exponential distribution floor(-ln(U) · mL).
    /// U comes from a hash of the seed and the id, so levels do not depend on insertion order
    /// or thread interleaving, and a one-thread build is reproducible.
    static func level(for id: UInt32, parameters: HNSWParameters) -> Int {
        var state = parameters.seed ^ (UInt64(id) &* 0x9E37_79B9_7F4A_7C15)
        state = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
        state = (state ^ (state >> 27)) &* 0x94D0_49BB_1331_11EB
        state ^= state >> 31
        let uniform = max(Double(state >> 11) / Double(1 << 53), Double.leastNormalMagnitude)
        return min(Int(-Foundation.log(uniform) * parameters.levelMultiplier), 32)
    }

    private func reserveID(_ id: UInt32) throws(IndexError) {
        let taken = slotsByID.withLock { slots in
            if slots[id] != nil { return true }
            slots[id] = HNSWIndex.slotBeingInserted
            return false
        }
        if taken { throw .duplicateID(id) }
    }

    static let slotBeingInserted = UInt32.max

    /// Takes the next slot, doubling the graph when it is full.
    private func claimSlot() -> UInt32 {
        let slot = allocatedSlots.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
        let fits = structureLock.withReadLock { slot < storage.capacity }
        if !fits {
            structureLock.withWriteLock {
                var newCapacity = storage.capacity
                while newCapacity <= slot { newCapacity *= 2 }
                if newCapacity > storage.capacity { storage.resize(to: newCapacity) }
            }
        }
        return UInt32(slot)
    }

    private func writeNode(_ view: GraphView, slot: UInt32, id: UInt32, level: Int, vector: UnsafeBufferPointer<Float>) {
        view.labels[Int(slot)] = id
        view.levels[Int(slot)] = UInt8(level)
        view.flags[Int(slot)] = 0
        view.links(slot, level: 0).pointee = 0
        let destination = UnsafeMutableBufferPointer(start: view.vector(slot), count: dimension)
        _ = destination.initialize(from: vector)
        if metric.normalizesVectors { VectorMath.normalize(destination) }
        view.quantized?.encode(UnsafePointer(destination.baseAddress!), slot: slot)
        storage.allocateUpperLevels(slot: Int(slot), level: level)
    }

    /// Connects a written node into every level up to its own (the paper's Algorithm 1).
    private func link(_ view: GraphView, slot: UInt32, level: Int, from start: EntryPoint, scratch: SearchScratch) {
        guard let entrySlot = start.slot else { return }
        let query = FloatDistance(query: UnsafePointer(view.vector(slot)), kernel: kernel, dimension: dimension)
        // The descent to the node's own level is the search's (a beam of upperBeamWidth): a node
        // whose descent ends in another cluster would otherwise be linked from there.
        scratch.seeds[0] = HeapEntry(distance: query.distance(to: entrySlot, in: view), slot: entrySlot)
        var seedCount = 1
        if level < start.level {
            for upper in stride(from: start.level, to: level, by: -1) {
                searchLayer(view, query, seeds: seedCount, ef: HNSWIndex.upperBeamWidth, level: upper, accept: AcceptEverySlot(), lockNodes: true, scratch: scratch)
                seedCount = scratch.takeResultsAsSeeds()
            }
        }
        for layer in stride(from: min(level, start.level), through: 0, by: -1) {
            searchLayer(
                view, query, seeds: seedCount,
                ef: parameters.efConstruction, level: layer, accept: AcceptEverySlot(), lockNodes: true, scratch: scratch)
            let found = drainAscending(&scratch.results)
            guard let closest = found.first else { continue }
            let neighbors = selectNeighbors(view, sortedCandidates: found, maxCount: parameters.m)
            connect(view, slot: slot, to: neighbors, level: layer)
            scratch.seeds[0] = closest
            seedCount = 1
        }
    }

    /// Writes the new node's list, then adds it to each neighbour's list, pruning a full list
    /// with the same heuristic.
    private func connect(_ view: GraphView, slot: UInt32, to neighbors: [UInt32], level: Int) {
        let capacity = view.maxNeighbors(level: level)
        view.lock(slot)
        view.markChanged(slot)
        let own = view.links(slot, level: level)
        // A node inserted meanwhile may have reached this one through an upper level and
        // linked to it already; keeping that link is what keeps the other node reachable.
        var merged = neighbors
        for index in 0 ..< Int(own[0]) where !merged.contains(own[index + 1]) { merged.append(own[index + 1]) }
        if merged.count > capacity {
            let base = UnsafePointer(view.vector(slot))
            let candidates = merged.map { HeapEntry(distance: kernel.distance(base, view.vector($0), count: dimension), slot: $0) }
                .sorted { $0.distance < $1.distance }
            merged = selectNeighbors(view, sortedCandidates: candidates, maxCount: capacity)
        }
        for (index, neighbor) in merged.enumerated() { own[index + 1] = neighbor }
        lodestone_atomic_store_u32(own, UInt32(merged.count))
        view.unlock(slot)

        for neighbor in neighbors {
            view.lock(neighbor)
            view.markChanged(neighbor)
            let list = view.links(neighbor, level: level)
            let count = Int(list[0])
            if count < capacity {
                list[count + 1] = slot
                lodestone_atomic_store_u32(list, UInt32(count + 1))
            } else {
                let base = UnsafePointer(view.vector(neighbor))
                var candidates = [HeapEntry]()
                candidates.reserveCapacity(count + 1)
                candidates.append(HeapEntry(distance: kernel.distance(base, view.vector(slot), count: dimension), slot: slot))
                for index in 1...count {
                    let existing = list[index]
                    candidates.append(HeapEntry(distance: kernel.distance(base, view.vector(existing), count: dimension), slot: existing))
                }
                candidates.sort { $0.distance < $1.distance }
                let kept = selectNeighbors(view, sortedCandidates: candidates, maxCount: capacity)
                for (index, keptSlot) in kept.enumerated() { list[index + 1] = keptSlot }
                lodestone_atomic_store_u32(list, UInt32(kept.count))
            }
            view.unlock(neighbor)
        }
    }

    /// The neighbour-selection heuristic (the paper's Algorithm 4, without extension or
    /// keeping pruned links, as in the reference implementation): walking candidates from the
    /// closest, keep one only if it is closer to the base than to every neighbour kept so far.
    /// It favours neighbours in different directions, which keeps clusters connected.
    func selectNeighbors(_ view: GraphView, sortedCandidates: [HeapEntry], maxCount: Int) -> [UInt32] {
        guard sortedCandidates.count > maxCount else { return sortedCandidates.map(\.slot) }
        var kept: [UInt32] = []
        kept.reserveCapacity(maxCount)
        for candidate in sortedCandidates {
            guard kept.count < maxCount else { break }
            let vector = UnsafePointer(view.vector(candidate.slot))
            var diverse = true
            for existing in kept where kernel.distance(vector, view.vector(existing), count: dimension) < candidate.distance {
                diverse = false
                break
            }
            if diverse { kept.append(candidate.slot) }
        }
        return kept
    }

    private func drainAscending(_ heap: inout DistanceHeap) -> [HeapEntry] {
        var sorted = [HeapEntry](repeating: HeapEntry(distance: 0, slot: 0), count: heap.count)
        var index = heap.count - 1
        while !heap.isEmpty {
            sorted[index] = heap.pop()
            index -= 1
        }
        return sorted
    }
}
