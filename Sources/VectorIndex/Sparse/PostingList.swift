/// The documents holding one dimension, ascending by id, with each one's value and length.
///
/// Ids ascend so a search can walk many lists in step and jump ahead in the ones it only
/// probes; new internal ids grow, so inserting is an append almost always. The length sits
/// beside the value because BM25 needs it for every scored posting, and a lookup elsewhere
/// would cost more than the four bytes.
///
/// Owns raw memory, like `GraphStorage`: a search reads it through plain pointers, which
/// keeps reference counting out of the per-posting loop (arrays held in the cursors cost a
/// retain and a release per access). It is edited only under the index's write lock and read
/// only under its read lock, so no reader sees it change or move.
///
/// Deleted documents stay as postings until a quarter of the list is dead (the index knows
/// which ids are dead); `maxValue`, `minValue` and `minLength` may then still describe them,
/// which only loosens the bounds built from them, never breaks them.
final class PostingList: @unchecked Sendable {
    private(set) var count = 0
    private var capacity: Int
    private(set) var documents: UnsafeMutablePointer<UInt32>
    private(set) var values: UnsafeMutablePointer<Float>
    private(set) var lengths: UnsafeMutablePointer<Float>
    private(set) var maxValue: Float = -.infinity
    private(set) var minValue: Float = .infinity
    private(set) var minLength: Float = .infinity
    /// Postings whose document has been deleted but not yet compacted away.
    var deadCount = 0

    init(capacity: Int = 4) {
        self.capacity = max(capacity, 1)
        documents = .allocate(capacity: self.capacity)
        values = .allocate(capacity: self.capacity)
        lengths = .allocate(capacity: self.capacity)
    }

    deinit {
        documents.deallocate()
        values.deallocate()
        lengths.deallocate()
    }

    /// The live documents holding this dimension: n_t for IDF.
    var liveCount: Int { count - deadCount }

    /// Compacting once a quarter is dead keeps scans at most a third longer than needed while
    /// costing O(1) amortised per deletion.
    var needsCompaction: Bool { deadCount * 4 > count }

    var allocatedBytes: Int { capacity * 12 + 96 }

    func add(document: UInt32, value: Float, length: Float) {
        if count == capacity { reallocate(capacity: capacity * 2) }
        var position = count
        if count > 0, document < documents[count - 1] {
            position = Self.firstPosition(in: documents, count: count, atLeast: document, from: 0)
            let tail = count - position
            (documents + position + 1).moveInitialize(from: documents + position, count: tail)
            (values + position + 1).moveInitialize(from: values + position, count: tail)
            (lengths + position + 1).moveInitialize(from: lengths + position, count: tail)
        }
        (documents + position).initialize(to: document)
        (values + position).initialize(to: value)
        (lengths + position).initialize(to: length)
        count += 1
        maxValue = max(maxValue, value)
        minValue = min(minValue, value)
        minLength = min(minLength, length)
    }

    /// Removes the posting of `document` if the list holds one; the bounds stay as they were.
    func remove(document: UInt32) -> Bool {
        let position = Self.firstPosition(in: documents, count: count, atLeast: document, from: 0)
        guard position < count, documents[position] == document else { return false }
        let tail = count - position - 1
        (documents + position).moveInitialize(from: documents + position + 1, count: tail)
        (values + position).moveInitialize(from: values + position + 1, count: tail)
        (lengths + position).moveInitialize(from: lengths + position + 1, count: tail)
        count -= 1
        return true
    }

    /// Drops, in place, every posting whose document `isDead` says is gone; recomputes tight
    /// bounds, gives back memory the list no longer needs, and returns the dropped ids.
    func compact(isDead: (UInt32) -> Bool) -> [UInt32] {
        var dropped: [UInt32] = []
        var kept = 0
        maxValue = -.infinity
        minValue = .infinity
        minLength = .infinity
        for position in 0..<count {
            let document = documents[position]
            if isDead(document) {
                dropped.append(document)
                continue
            }
            documents[kept] = document
            values[kept] = values[position]
            lengths[kept] = lengths[position]
            maxValue = max(maxValue, values[kept])
            minValue = min(minValue, values[kept])
            minLength = min(minLength, lengths[kept])
            kept += 1
        }
        count = kept
        deadCount = 0
        if capacity > 4 * max(count, 4) { reallocate(capacity: 2 * max(count, 4)) }
        return dropped
    }

    private func reallocate(capacity newCapacity: Int) {
        let newDocuments = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        let newValues = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
        let newLengths = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
        newDocuments.moveInitialize(from: documents, count: count)
        newValues.moveInitialize(from: values, count: count)
        newLengths.moveInitialize(from: lengths, count: count)
        documents.deallocate()
        values.deallocate()
        lengths.deallocate()
        documents = newDocuments
        values = newValues
        lengths = newLengths
        capacity = newCapacity
    }

    /// The first position at or after `start` whose id is at least `target` (`count` if none):
    /// doubling steps then a binary search, so a probe that moves a short way costs little and
    /// a long jump costs a logarithm.
    static func firstPosition(in documents: UnsafePointer<UInt32>, count: Int, atLeast target: UInt32, from start: Int) -> Int {
        guard start < count, documents[start] < target else { return start }
        var low = start
        var step = 1
        while low + step < count, documents[low + step] < target {
            low += step
            step *= 2
        }
        // documents[low] < target, and the answer lies in (low, min(low + step, count)].
        var high = min(low + step, count)
        low += 1
        while low < high {
            let middle = (low + high) / 2
            if documents[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
