/// Keeps the k smallest distances seen so far: a bounded max-heap, O(log k) per accepted item.
struct TopKSelector {
    let k: Int
    private(set) var heap: [Neighbor] = []

    init(k: Int) {
        self.k = k
        heap.reserveCapacity(k)
    }

    /// The distance a new item must beat to enter (infinite until k items are held).
    var threshold: Float { heap.count < k ? .infinity : heap[0].distance }

    mutating func offer(id: UInt32, distance: Float) {
        guard k > 0 else { return }
        if heap.count < k {
            heap.append(Neighbor(id: id, distance: distance))
            siftUp(heap.count - 1)
        } else if distance < heap[0].distance {
            heap[0] = Neighbor(id: id, distance: distance)
            siftDown(0)
        }
    }

    /// The kept items, closest first; ties broken by id so results are reproducible.
    func sorted() -> [Neighbor] {
        heap.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].distance > heap[parent].distance else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var largest = left
            if left + 1 < count, heap[left + 1].distance > heap[left].distance { largest = left + 1 }
            guard heap[largest].distance > heap[parent].distance else { return }
            heap.swapAt(parent, largest)
            parent = largest
        }
    }
}
