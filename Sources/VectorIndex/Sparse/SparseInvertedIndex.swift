/// An inverted index over sparse vectors (SPLADE-style learned weights, BM25 term
/// frequencies): one posting list per dimension, searched exactly with MaxScore.
///
/// Ids are the caller's dense internal ids and are unique among live documents: inserting a
/// live id is refused with `duplicateID`, as `HNSWIndex` does, rather than silently replacing
/// it (delete first to replace). A deleted id may be inserted again.
/// Deleting makes a document vanish from every result and statistic at once (N, n_t and the
/// average length count live documents only); its postings are reclaimed lazily.
///
/// Any number of searches run together; a write waits for running searches and blocks new
/// ones only while it edits the lists (a read lock covers one whole search).
public final class SparseInvertedIndex: Sendable {
    let state = ReadWriteLocked(SparseIndexState())

    public init() {}

    /// Adds a document. `length` is its token count for BM25 and defaults to the sum of its
    /// positive values (the token count when values are term frequencies).
    public func insert(id: UInt32, vector: SparseVector, length: Float? = nil) throws(IndexError) {
        let length = length ?? vector.values.reduce(0) { $0 + max($1, 0) }
        guard length.isFinite, length >= 0 else {
            throw .invalidParameter(name: "length", reason: "a document length must be finite and at least 0, got \(length)")
        }
        try state.write { (state) throws(IndexError) in
            guard state.documents[id] == nil else { throw .duplicateID(id) }
            state.insert(id: id, vector: vector, length: length)
        }
    }

    /// Removes a live document from all results and statistics.
    public func delete(id: UInt32) throws(IndexError) {
        try state.write { (state) throws(IndexError) in
            guard state.documents[id] != nil else { throw .unknownID(id) }
            state.delete(id: id)
        }
    }

    public func contains(id: UInt32) -> Bool { state.read { $0.documents[id] != nil } }

    /// Documents that searches can return.
    public var liveCount: Int { state.read { $0.documents.count } }

    /// n_t: how many live documents hold `dimension`.
    public func documentFrequency(of dimension: UInt32) -> Int {
        state.read { $0.postings[dimension]?.liveCount ?? 0 }
    }

    /// Mean length of the live documents (0 when there are none): BM25's default average.
    public var averageLength: Float { state.read { $0.averageLength } }

    /// The stored vector of a live document, dimensions ascending.
    public func vector(id: UInt32) -> SparseVector? { state.read { $0.documents[id]?.vector } }

    /// Bytes held by posting lists and stored vectors, including not-yet-compacted deletions
    /// (an estimate: collection overheads are approximated).
    public var memoryBytes: Int { state.read { $0.allocatedBytes } }
}

/// A live document as inserted; kept so `vector(id:)`, rescoring and deletion need no scan.
struct StoredDocument {
    var vector: SparseVector
    var length: Float
}

/// Everything the index holds, edited only under the write lock. The posting lists are
/// objects, so a copy of this value shares them: only the index's own copy is ever edited.
struct SparseIndexState: Sendable {
    var postings: [UInt32: PostingList] = [:]
    var documents: [UInt32: StoredDocument] = [:]
    /// Deleted ids that some posting list still holds, with the dimensions that may hold
    /// them and how many lists have not yet compacted them away.
    var tombstones: [UInt32: Tombstone] = [:]
    /// Sum of live lengths, in double so inserts and deletes do not drift the average.
    var liveLengthSum: Double = 0

    struct Tombstone {
        let dimensions: [UInt32]
        var listsHolding: Int
    }

    var averageLength: Float {
        documents.isEmpty ? 0 : Float(liveLengthSum / Double(documents.count))
    }

    func isLive(_ id: UInt32) -> Bool { tombstones.isEmpty || tombstones[id] == nil }

    /// Adds a document whose id is not live. A deleted id still in some lists has those
    /// postings removed first, so a list never holds two postings for one id.
    mutating func insert(id: UInt32, vector: SparseVector, length: Float) {
        if let stale = tombstones.removeValue(forKey: id) {
            for dimension in stale.dimensions {
                guard let list = postings[dimension], list.remove(document: id) else { continue }
                list.deadCount -= 1
                if list.count == 0 { postings[dimension] = nil }
            }
        }
        for (dimension, value) in zip(vector.indices, vector.values) {
            if let list = postings[dimension] {
                list.add(document: id, value: value, length: length)
            } else {
                let list = PostingList()
                list.add(document: id, value: value, length: length)
                postings[dimension] = list
            }
        }
        documents[id] = StoredDocument(vector: vector, length: length)
        liveLengthSum += Double(length)
    }

    mutating func delete(id: UInt32) {
        guard let document = documents.removeValue(forKey: id) else { return }
        liveLengthSum = documents.isEmpty ? 0 : liveLengthSum - Double(document.length)
        let dimensions = document.vector.indices
        guard !dimensions.isEmpty else { return }
        tombstones[id] = Tombstone(dimensions: dimensions, listsHolding: dimensions.count)
        for dimension in dimensions {
            let list = postings[dimension]!
            list.deadCount += 1
            if list.needsCompaction { compact(list, dimension: dimension) }
        }
    }

    /// Rewrites one list without its dead postings; a tombstone goes once no list holds it.
    private mutating func compact(_ list: PostingList, dimension: UInt32) {
        let dropped = list.compact { tombstones[$0] != nil }
        for id in dropped {
            tombstones[id]!.listsHolding -= 1
            if tombstones[id]!.listsHolding == 0 { tombstones[id] = nil }
        }
        if list.count == 0 { postings[dimension] = nil }
    }

    var allocatedBytes: Int {
        let entry = 48
        var bytes = (postings.capacity + documents.capacity + tombstones.capacity) * entry
        for list in postings.values { bytes += list.allocatedBytes }
        for document in documents.values {
            bytes += document.vector.indices.capacity * 4 + document.vector.values.capacity * 4 + 64
        }
        for tombstone in tombstones.values { bytes += tombstone.dimensions.capacity * 4 + 32 }
        return bytes
    }
}

/// A value behind the package's writer-preferring lock: shared reads, exclusive writes. The
/// unchecked conformance is sound because `value` is touched only inside the lock.
final class ReadWriteLocked<Value: Sendable>: @unchecked Sendable {
    private let lock = ReadWriteLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func read<Result, Failure: Error>(_ body: (Value) throws(Failure) -> Result) throws(Failure) -> Result {
        // ReadWriteLock's methods rethrow untyped errors; a Result carries the typed one out.
        let outcome: Swift.Result<Result, Failure> = lock.withReadLock { Swift.Result { () throws(Failure) in try body(value) } }
        return try outcome.get()
    }

    func write<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = lock.withWriteLock { Swift.Result { () throws(Failure) in try body(&value) } }
        return try outcome.get()
    }
}
