import CVectorKernels
import Foundation

/// The graph's memory, laid out as hnswlib does: level 0 of every node is one record in one
/// allocation, `[neighbour count][2M neighbour slots][vector]`, so a hop reads one contiguous
/// region. Upper levels (about 1/M of nodes) get one small block each. A quantized graph may
/// move the vectors out of the records into a `PagedVectorFile` (records are then links
/// only): its walk reads codes, and the OS pages the floats that only rescoring reads.
///
/// Owns raw memory; all access goes through `GraphView`, a snapshot of the pointers taken
/// under the index's shared lock. Growing or moving the vectors replaces the buffers and
/// happens only under the exclusive lock, so no view outlives the memory it points into.
final class GraphStorage: @unchecked Sendable {
    let dimension: Int
    let maxNeighborsBase: Int
    let maxNeighborsUpper: Int
    /// Bytes of a level-0 neighbour list (count and 2M slots): the start of every record.
    let linkBytes: Int
    let vectorBytes: Int
    /// Bytes of one level-0 record: `linkBytes`, plus `vectorBytes` while the vectors are in it.
    private(set) var recordStride: Int
    /// UInt32 words of one upper level: a count followed by M slots.
    let upperLevelWords: Int
    /// The vectors, when they are on disk rather than in the records.
    private(set) var pagedVectors: PagedVectorFile?

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
        self.linkBytes = MemoryLayout<UInt32>.stride * (1 + parameters.maxNeighborsBase)
        self.vectorBytes = MemoryLayout<Float>.stride * dimension
        self.recordStride = linkBytes + vectorBytes
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
    /// Should the paged file not grow (a full disk), the vectors come back into the records.
    func resize(to newCapacity: Int) {
        precondition(newCapacity >= capacity, "the graph never shrinks in place")
        if let pagedVectors {
            do throws(IndexError) { try pagedVectors.grow(to: newCapacity * vectorBytes) } catch {
                pagingFailure = error
                unpageVectors()
            }
        }
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

    /// Why the vectors last failed to move to (or grow on) disk, for reports.
    private(set) var pagingFailure: IndexError?

    /// Starts (or replaces, or with nil ends) the quantized copy. Callers hold the exclusive
    /// lock and encode the slots already written; where the floats go without codes is the
    /// index's placement (`HNSWIndex.dropCodes`).
    func attach(_ codes: QuantizedCodes?) {
        codes?.resize(to: capacity)
        quantized = codes
    }

    /// Copies every vector into a new file in `directory`, written through the file so none of
    /// it becomes resident. Callers hold the shared lock and keep inserts out (the index's
    /// mutation lock), then hand the file to `adoptPagedVectors` under the exclusive lock.
    func writePagedVectors(to directory: URL) throws(IndexError) -> PagedVectorFile {
        let file = try PagedVectorFile(directory: directory, byteCount: capacity * vectorBytes)
        let view = self.view
        let rows = max(1, (4 << 20) / vectorBytes)
        let staging = UnsafeMutableRawPointer.allocate(byteCount: rows * vectorBytes, alignment: 64)
        defer { staging.deallocate() }
        for start in stride(from: 0, to: capacity, by: rows) {
            let count = min(rows, capacity - start)
            for row in 0 ..< count {
                (staging + row * vectorBytes).copyMemory(from: view.vector(UInt32(start + row)), byteCount: vectorBytes)
            }
            try file.write(UnsafeRawBufferPointer(start: staging, count: count * vectorBytes), at: start * vectorBytes)
        }
        return file
    }

    /// Takes the vectors `writePagedVectors` wrote and drops them from the records. Callers
    /// hold the exclusive lock.
    func adoptPagedVectors(_ file: PagedVectorFile) throws(IndexError) {
        guard pagedVectors == nil else { return }
        try file.grow(to: capacity * vectorBytes)
        relayout(stride: linkBytes)
        pagedVectors = file
        pagingFailure = nil
    }

    /// Brings the vectors back into the records (the codes are gone, so the walk reads the
    /// floats again). Callers hold the exclusive lock.
    func unpageVectors() {
        guard pagedVectors != nil else { return }
        relayout(stride: linkBytes + vectorBytes)
        pagedVectors = nil
    }

    func recordPagingFailure(_ error: IndexError) { pagingFailure = error }

    /// Unmaps the paged vectors' pages this process touched (construction reads them all).
    func releaseResidentVectors() { pagedVectors?.releaseResidentPages() }

    var pagedBytes: Int { pagedVectors.map { _ in capacity * vectorBytes } ?? 0 }

    /// Rewrites the records with `newStride` bytes each: links only, or links and the vector
    /// (read from wherever it is now).
    private func relayout(stride newStride: Int) {
        let view = self.view
        let newRecords = UnsafeMutableRawPointer.allocate(byteCount: max(capacity * newStride, 1), alignment: 64)
        for slot in 0 ..< capacity {
            let record = newRecords + slot * newStride
            record.copyMemory(from: records + slot * recordStride, byteCount: linkBytes)
            if newStride > linkBytes { (record + linkBytes).copyMemory(from: view.vector(UInt32(slot)), byteCount: vectorBytes) }
        }
        records.deallocate()
        records = newRecords
        recordStride = newStride
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
            records: records, recordStride: recordStride, linkBytes: linkBytes,
            vectorBase: pagedVectors?.base ?? records + linkBytes, vectorStride: pagedVectors == nil ? recordStride : vectorBytes,
            upperLinks: upperLinks, upperLevelWords: upperLevelWords,
            labels: labels, levels: levels, flags: flags, locks: locks, changed: changed,
            dimension: dimension, capacity: capacity,
            maxNeighborsBase: maxNeighborsBase, maxNeighborsUpper: maxNeighborsUpper, quantized: quantized?.view, paged: pagedVectors)
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
    let linkBytes: Int
    /// Vector `slot` is at `vectorBase + slot × vectorStride`, in the records or on disk.
    let vectorBase: UnsafeMutableRawPointer
    let vectorStride: Int
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
    /// The file the vectors are in, when they are not in the records.
    let paged: PagedVectorFile?

    @inline(__always)
    func vector(_ slot: UInt32) -> UnsafeMutablePointer<Float> {
        (vectorBase + Int(slot) &* vectorStride).assumingMemoryBound(to: Float.self)
    }

    /// Vector `slot` for a read that must not map a paged file's pages (rescoring, lookups,
    /// scans): the record's own, or a copy into `buffer` (`dimension` floats) read from the file.
    @inline(__always)
    func readVector(_ slot: UInt32, into buffer: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        guard let paged else { return UnsafePointer(vector(slot)) }
        paged.read(into: buffer, byteCount: dimension * MemoryLayout<Float>.stride, at: Int(slot) &* vectorStride)
        return UnsafePointer(buffer)
    }

    /// Vectors `slots` for a scan: in place when in the records (`vectorStride` apart), else
    /// read into `buffer` (`slots.count × dimension` floats, packed).
    func readVectors(_ slots: Range<Int>, into buffer: UnsafeMutablePointer<Float>) -> (rows: UnsafePointer<Float>, strideFloats: Int) {
        guard let paged else { return (UnsafePointer(vector(UInt32(slots.lowerBound))), vectorStride / MemoryLayout<Float>.stride) }
        paged.read(into: buffer, byteCount: slots.count * vectorStride, at: slots.lowerBound * vectorStride)
        return (UnsafePointer(buffer), dimension)
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
