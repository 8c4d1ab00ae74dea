import Synchronization

/// A (distance, slot) pair in a search heap.
struct HeapEntry {
    var distance: Float
    var slot: UInt32
}

/// A max-heap on distance over a reusable buffer; pushing negated distances makes it a min-heap.
/// A value type holding a pointer, so the search loop keeps it in registers, not behind a class.
struct DistanceHeap {
    private(set) var storage: UnsafeMutablePointer<HeapEntry>
    private(set) var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    func deallocate() { storage.deallocate() }

    var isEmpty: Bool { count == 0 }
    var top: HeapEntry { storage[0] }

    mutating func removeAll() { count = 0 }

    @inline(__always)
    mutating func push(_ distance: Float, _ slot: UInt32) {
        if count == capacity { grow() }
        var child = count
        count += 1
        while child > 0 {
            let parent = (child - 1) >> 1
            guard storage[parent].distance < distance else { break }
            storage[child] = storage[parent]
            child = parent
        }
        storage[child] = HeapEntry(distance: distance, slot: slot)
    }

    @inline(__always)
    @discardableResult
    mutating func pop() -> HeapEntry {
        let result = storage[0]
        count -= 1
        guard count > 0 else { return result }
        let last = storage[count]
        var parent = 0
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count, storage[child + 1].distance > storage[child].distance { child += 1 }
            guard storage[child].distance > last.distance else { break }
            storage[parent] = storage[child]
            parent = child
        }
        storage[parent] = last
        return result
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<HeapEntry>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }
}

/// Per-query working memory, pooled so a search allocates nothing.
///
/// The visited set is an array of epoch tags: a node is visited when its tag equals the current
/// epoch, so starting a query is one increment instead of clearing the array.
final class SearchScratch: @unchecked Sendable {
    private(set) var visitedTags: UnsafeMutablePointer<UInt16>
    private(set) var visitedCapacity: Int
    private var epoch: UInt16 = 0
    var candidates: DistanceHeap
    var results: DistanceHeap
    /// Neighbour ids copied out under a node lock during construction.
    let neighborBuffer: UnsafeMutablePointer<UInt32>
    /// A node's neighbours not visited yet, gathered before any is measured.
    let unvisitedBuffer: UnsafeMutablePointer<UInt32>
    /// Their distances, measured together.
    let distanceBuffer: UnsafeMutablePointer<Float>
    /// Where a layer search starts: the entry point, or the beam the level above left.
    let seeds: UnsafeMutablePointer<HeapEntry>
    /// The query after normalisation, for cosine indexes.
    private(set) var queryBuffer: UnsafeMutablePointer<Float>
    private var queryCapacity: Int

    init(capacity: Int, maxNeighbors: Int, dimension: Int) {
        visitedCapacity = capacity
        visitedTags = .allocate(capacity: capacity)
        visitedTags.initialize(repeating: 0, count: capacity)
        candidates = DistanceHeap(capacity: 256)
        results = DistanceHeap(capacity: 256)
        neighborBuffer = .allocate(capacity: maxNeighbors + 1)
        unvisitedBuffer = .allocate(capacity: maxNeighbors + 1)
        distanceBuffer = .allocate(capacity: maxNeighbors + 1)
        seeds = .allocate(capacity: HNSWIndex.upperBeamWidth)
        queryCapacity = dimension
        queryBuffer = .allocate(capacity: dimension)
    }

    deinit {
        visitedTags.deallocate()
        candidates.deallocate()
        results.deallocate()
        neighborBuffer.deallocate()
        unvisitedBuffer.deallocate()
        distanceBuffer.deallocate()
        seeds.deallocate()
        queryBuffer.deallocate()
    }

    /// Moves an upper-level search's results (at most the beam width) into `seeds` for the
    /// level below and returns how many there are.
    func takeResultsAsSeeds() -> Int {
        precondition(results.count <= HNSWIndex.upperBeamWidth, "an upper-level beam is at most upperBeamWidth wide")
        let count = results.count
        var index = 0
        while !results.isEmpty {
            seeds[index] = results.pop()
            index += 1
        }
        return count
    }

    /// Starts a new query over a graph of `capacity` slots and returns the tag meaning "visited".
    func beginQuery(capacity: Int) -> UInt16 {
        if capacity > visitedCapacity {
            visitedTags.deallocate()
            visitedTags = .allocate(capacity: capacity)
            visitedTags.initialize(repeating: 0, count: capacity)
            visitedCapacity = capacity
            epoch = 0
        }
        epoch &+= 1
        if epoch == 0 {
            visitedTags.update(repeating: 0, count: visitedCapacity)
            epoch = 1
        }
        return epoch
    }
}

/// Scratch objects handed out one per concurrent operation.
final class ScratchPool: Sendable {
    private let idle = Mutex<[SearchScratch]>([])
    private let maxNeighbors: Int
    private let dimension: Int

    init(maxNeighbors: Int, dimension: Int) {
        self.maxNeighbors = maxNeighbors
        self.dimension = dimension
    }

    func withScratch<Result>(capacity: Int, _ body: (SearchScratch) throws -> Result) rethrows -> Result {
        let scratch = idle.withLock { $0.popLast() }
            ?? SearchScratch(capacity: capacity, maxNeighbors: maxNeighbors, dimension: dimension)
        defer { idle.withLock { $0.append(scratch) } }
        return try body(scratch)
    }
}
