import CVectorKernels

/// The graph's memory, laid out as hnswlib does: level 0 of every node is one record in one
/// allocation, `[neighbour count][2M neighbour slots][vector]`, so a hop reads one contiguous
/// region. Upper levels (about 1/M of nodes) get one small block each.
///
/// Owns raw memory; all access goes through `GraphView`, a snapshot of the pointers taken
/// under the index's shared lock. Growing replaces the buffers and happens only under the
/// exclusive lock, so no view outlives the memory it points into.
final class GraphStorage: @unchecked Sendable {
    let dimension: Int
    let maxNeighborsBase: Int
    let maxNeighborsUpper: Int
    /// Bytes of one level-0 record.
    let recordStride: Int
    /// Byte offset of the vector inside a level-0 record.
    let vectorOffset: Int
    /// UInt32 words of one upper level: a count followed by M slots.
    let upperLevelWords: Int

    private(set) var capacity: Int = 0
    private(set) var records: UnsafeMutableRawPointer
    private(set) var labels: UnsafeMutablePointer<UInt32>
    private(set) var levels: UnsafeMutablePointer<UInt8>
    private(set) var flags: UnsafeMutablePointer<UInt8>
    private(set) var locks: UnsafeMutablePointer<UInt8>
    /// 1 for a node whose links or flags changed since the last image of a chain: what a
    /// delta image must carry (`HNSWIndex+ImageChain`).
    private(set) var changed: UnsafeMutablePointer<UInt8>
    private(set) var upperLinks: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    /// The vectors' quantized codes, when the index traverses on them.
    private(set) var quantized: QuantizedCodes?

    static let deletedFlag: UInt8 = 1

    init(dimension: Int, parameters: HNSWParameters, capacity: Int) {
        self.dimension = dimension
        self.maxNeighborsBase = parameters.maxNeighborsBase
        self.maxNeighborsUpper = parameters.maxNeighborsUpper
        self.vectorOffset = MemoryLayout<UInt32>.stride * (1 + parameters.maxNeighborsBase)
        self.recordStride = vectorOffset + MemoryLayout<Float>.stride * dimension
        self.upperLevelWords = 1 + parameters.maxNeighborsUpper
        records = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64)
        labels = .allocate(capacity: 1)
        levels = .allocate(capacity: 1)
        flags = .allocate(capacity: 1)
        locks = .allocate(capacity: 1)
        changed = .allocate(capacity: 1)
        upperLinks = .allocate(capacity: 1)
        resize(to: max(capacity, 1))
    }

    deinit {
        for slot in 0..<capacity { upperLinks[slot]?.deallocate() }
        records.deallocate()
        labels.deallocate()
        levels.deallocate()
        flags.deallocate()
        locks.deallocate()
        changed.deallocate()
        upperLinks.deallocate()
    }

    /// Moves everything into buffers of `newCapacity` slots. Callers hold the exclusive lock.
    func resize(to newCapacity: Int) {
        precondition(newCapacity >= capacity, "the graph never shrinks in place")
        let old = capacity
        let newRecords = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * recordStride, alignment: 64)
        newRecords.copyMemory(from: records, byteCount: old * recordStride)
        // Zero counts so an unfilled slot reads as a node without neighbours.
        (newRecords + old * recordStride).initializeMemory(as: UInt8.self, repeating: 0, count: (newCapacity - old) * recordStride)
        records.deallocate()
        records = newRecords
        labels = Self.grow(labels, from: old, to: newCapacity, fill: 0)
        levels = Self.grow(levels, from: old, to: newCapacity, fill: 0)
        flags = Self.grow(flags, from: old, to: newCapacity, fill: 0)
        locks = Self.grow(locks, from: old, to: newCapacity, fill: 0)
        changed = Self.grow(changed, from: old, to: newCapacity, fill: 0)
        upperLinks = Self.grow(upperLinks, from: old, to: newCapacity, fill: nil)
        quantized?.resize(to: newCapacity)
        capacity = newCapacity
    }

    /// Starts (or replaces, or with nil ends) the quantized copy. Callers hold the exclusive
    /// lock and encode the slots already written.
    func attach(_ codes: QuantizedCodes?) {
        codes?.resize(to: capacity)
        quantized = codes
    }

    /// Allocates the upper levels 1...level of a node; their counts start at zero.
    func allocateUpperLevels(slot: Int, level: Int) {
        guard level > 0 else { return }
        let block = UnsafeMutablePointer<UInt32>.allocate(capacity: level * upperLevelWords)
        block.initialize(repeating: 0, count: level * upperLevelWords)
        upperLinks[slot]?.deallocate()
        upperLinks[slot] = block
    }

    var view: GraphView {
        GraphView(
            records: records, recordStride: recordStride, vectorOffset: vectorOffset,
            upperLinks: upperLinks, upperLevelWords: upperLevelWords,
            labels: labels, levels: levels, flags: flags, locks: locks, changed: changed,
            dimension: dimension, capacity: capacity,
            maxNeighborsBase: maxNeighborsBase, maxNeighborsUpper: maxNeighborsUpper, quantized: quantized?.view)
    }

    /// Bytes held, for memory reports.
    var allocatedBytes: Int {
        var total = capacity * (recordStride + MemoryLayout<UInt32>.stride + 4 + MemoryLayout<UnsafeMutablePointer<UInt32>?>.stride)
        for slot in 0..<capacity where upperLinks[slot] != nil {
            total += Int(levels[slot]) * upperLevelWords * MemoryLayout<UInt32>.stride
        }
        return total + (quantized?.allocatedBytes ?? 0)
    }

    private static func grow<T>(_ pointer: UnsafeMutablePointer<T>, from old: Int, to new: Int, fill: T) -> UnsafeMutablePointer<T> {
        let grown = UnsafeMutablePointer<T>.allocate(capacity: new)
        grown.moveInitialize(from: pointer, count: old)
        (grown + old).initialize(repeating: fill, count: new - old)
        pointer.deallocate()
        return grown
    }
}

/// A snapshot of the graph's pointers for the duration of one operation.
struct GraphView {
    let records: UnsafeMutableRawPointer
    let recordStride: Int
    let vectorOffset: Int
    let upperLinks: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    let upperLevelWords: Int
    let labels: UnsafeMutablePointer<UInt32>
    let levels: UnsafeMutablePointer<UInt8>
    let flags: UnsafeMutablePointer<UInt8>
    let locks: UnsafeMutablePointer<UInt8>
    let changed: UnsafeMutablePointer<UInt8>
    let dimension: Int
    let capacity: Int
    let maxNeighborsBase: Int
    let maxNeighborsUpper: Int
    let quantized: QuantizedView?

    @inline(__always)
    func vector(_ slot: UInt32) -> UnsafeMutablePointer<Float> {
        (records + Int(slot) &* recordStride + vectorOffset).assumingMemoryBound(to: Float.self)
    }

    /// The neighbour list of `slot` at `level`: word 0 is the count, then the ids.
    @inline(__always)
    func links(_ slot: UInt32, level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 {
            return (records + Int(slot) &* recordStride).assumingMemoryBound(to: UInt32.self)
        }
        return upperLinks[Int(slot)]! + (level - 1) * upperLevelWords
    }

    @inline(__always)
    func maxNeighbors(level: Int) -> Int { level == 0 ? maxNeighborsBase : maxNeighborsUpper }

    @inline(__always)
    func isDeleted(_ slot: UInt32) -> Bool {
        lodestone_atomic_load_u8(flags + Int(slot)) & GraphStorage.deletedFlag != 0
    }

    /// Records that a node's links or flags changed. Atomic: a delete and a link to the same
    /// node may mark it at once.
    @inline(__always)
    func markChanged(_ slot: UInt32) { lodestone_atomic_store_u8(changed + Int(slot), 1) }

    @inline(__always)
    func lock(_ slot: UInt32) { lodestone_spin_lock(locks + Int(slot)) }

    @inline(__always)
    func unlock(_ slot: UInt32) { lodestone_spin_unlock(locks + Int(slot)) }
}
