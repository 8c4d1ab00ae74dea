import Foundation
import Synchronization
import VectorKernels

/// A hierarchical navigable small-world graph (Malkov & Yashunin 2016/2018) over float32 vectors.
///
/// Ids are the caller's (`UInt32`, for example a store's dense internal ids); slots are the
/// graph's own dense positions. Insertion may run on many threads at once: each node's
/// neighbour list has its own lock, and only a node that raises the top level serialises.
/// Searches take no node locks. Deleting marks a tombstone: the node keeps routing searches
/// but is never returned.
public final class HNSWIndex: Sendable {
    public let dimension: Int
    public let metric: Metric
    public let parameters: HNSWParameters
    public let kernel: DistanceKernel
    /// The integer kernel quantized searches walk with, resolved once.
    public let codeKernel = CodeKernel()
    /// The Hamming kernel binary-quantized searches walk with.
    public let bitKernel = BitKernel()
    /// The codes `quantize(_:)` asked for, trained once the graph holds enough vectors.
    let requestedQuantization = Mutex<QuantizationKind?>(nil)
    /// Set with `requestedQuantization`, read by every insert without a lock.
    let quantizationRequested = Atomic<Bool>(false)
    /// Vectors the current codes were trained on (0: none), and whether a training runs.
    let quantizedTrainedOn = Atomic<Int>(0)
    let quantizationTraining = Atomic<Bool>(false)
    /// Where the float vectors live (see `placeVectors`).
    let vectorPlacement = Mutex<VectorPlacement>(.memory)
    let pagedOperations = Atomic<Int>(0)

    let storage: GraphStorage
    let structureLock = ReadWriteLock()
    /// Held shared by every insert and delete and exclusively by a snapshot: a snapshot then
    /// sees a graph nobody changes, while searches (which take only `structureLock`) go on.
    let mutationLock = ReadWriteLock()
    let scratchPool: ScratchPool
    /// Next free slot; slots below it are taken (possibly still being written).
    let allocatedSlots = Atomic<Int>(0)
    let deletedCount = Atomic<Int>(0)
    let entry = Mutex(EntryPoint())
    /// Held for the whole insertion of a node that raises the top level (as in the paper's
    /// reference implementation), so two such inserts never race on the entry point.
    let levelRaise = Mutex(())
    let slotsByID = Mutex<SlotTable>(SlotTable())
    /// The last image of a chain this index took or was loaded from; nil when there is none,
    /// and the next image must be full.
    let imageChain = Mutex<ImageChainMark?>(nil)

    struct EntryPoint {
        var slot: UInt32?
        var level: Int = -1
    }

    public init(dimension: Int, metric: Metric, parameters: HNSWParameters = HNSWParameters(), capacity: Int = 1024) throws(IndexError) {
        guard dimension > 0, dimension <= 65_536 else {
            throw .invalidParameter(name: "dimension", reason: "must be between 1 and 65536, got \(dimension)")
        }
        try parameters.validate()
        self.dimension = dimension
        self.metric = metric
        self.parameters = parameters
        self.kernel = DistanceKernel(metric: metric.storedVectorMetric)
        self.storage = GraphStorage(dimension: dimension, parameters: parameters, capacity: capacity)
        self.scratchPool = ScratchPool(maxNeighbors: parameters.maxNeighborsBase, dimension: dimension)
    }

    /// Vectors inserted, including deleted ones still in the graph.
    public var count: Int { allocatedSlots.load(ordering: .acquiring) }

    /// Vectors that searches can return.
    public var liveCount: Int { count - deletedCount.load(ordering: .relaxed) }

    public var deletedVectorCount: Int { deletedCount.load(ordering: .relaxed) }

    public var capacity: Int { structureLock.withReadLock { storage.capacity } }

    /// Bytes of graph and vector memory held by the index (paged vectors are not held: see
    /// `vectorResidence`).
    public var memoryBytes: Int { structureLock.withReadLock { storage.allocatedBytes } }

    /// The slot of a linked node: an id whose insert is still linking has the placeholder
    /// `slotBeingInserted`, which is not a slot and must never index the graph.
    func linkedSlot(_ id: UInt32) -> UInt32? {
        slotsByID.withLock { $0[id] }.flatMap { $0 == HNSWIndex.slotBeingInserted ? nil : $0 }
    }

    public func contains(id: UInt32) -> Bool {
        guard let slot = linkedSlot(id) else { return false }
        return structureLock.withReadLock { !storage.view.isDeleted(slot) }
    }

    /// Grows the graph so `capacity` vectors fit without reallocating during a bulk load.
    public func reserveCapacity(_ capacity: Int) {
        structureLock.withWriteLock {
            if capacity > storage.capacity { storage.resize(to: capacity) }
        }
    }

    /// Marks `id` deleted: it stays in the graph for routing but no search returns it again.
    public func delete(id: UInt32) throws(IndexError) {
        let found = mutationLock.withReadLock { () -> Bool in
            // An id still being inserted is not there yet; its placeholder stays for the insert.
            let removed = slotsByID.withLock { slots -> UInt32? in
                guard let slot = slots[id], slot != HNSWIndex.slotBeingInserted else { return nil }
                return slots.removeValue(forKey: id)
            }
            guard let slot = removed else { return false }
            structureLock.withReadLock {
                let flags = storage.view.flags + Int(slot)
                lodestone_atomic_store_u8(flags, flags.pointee | GraphStorage.deletedFlag)
                storage.view.markChanged(slot)
            }
            deletedCount.add(1, ordering: .relaxed)
            return true
        }
        guard found else { throw .unknownID(id) }
    }

    /// The stored vector of `id` (normalised, for cosine indexes).
    public func vector(id: UInt32) -> [Float]? {
        guard let slot = linkedSlot(id) else { return nil }
        return structureLock.withReadLock {
            var vector = [Float](repeating: 0, count: dimension)
            vector.withUnsafeMutableBufferPointer { buffer in
                let read = storage.view.readVector(slot, into: buffer.baseAddress!)
                if read != UnsafePointer(buffer.baseAddress!) { buffer.baseAddress!.update(from: read, count: dimension) }
            }
            return vector
        }
    }

    /// The ids of all live vectors, in insertion order.
    public func liveIDs() -> [UInt32] {
        structureLock.withReadLock {
            let view = storage.view
            return (0..<UInt32(count)).compactMap { slot in view.isDeleted(slot) ? nil : view.labels[Int(slot)] }
        }
    }

    func validate(_ vector: UnsafeBufferPointer<Float>) throws(IndexError) {
        guard vector.count == dimension else {
            throw .dimensionMismatch(expected: dimension, actual: vector.count)
        }
        if let position = vector.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteValue(position: position)
        }
    }
}

import CVectorKernels
