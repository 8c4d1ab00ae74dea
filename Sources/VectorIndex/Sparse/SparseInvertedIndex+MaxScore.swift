/// MaxScore (Turtle & Flood 1995), document at a time over the id-sorted posting lists.
///
/// Terms are ordered by their upper bound, smallest first. Once k documents are held, the
/// shortest prefix of terms whose bounds sum to at most the k-th score is "non-essential": a
/// document found only in those lists cannot beat the k-th, so candidates come from the
/// essential lists alone, and the non-essential ones are only probed (a forward search) for
/// a candidate, largest bound first, until the score so far plus the bounds left shows it
/// cannot beat the k-th. Negative contributions are fine: a bound only has to be an upper bound.
///
/// Candidates arrive by ascending id and the top k break ties by smaller id, so a later
/// document that merely equals the k-th score never enters; "cannot beat" is therefore
/// "at most", which prunes exact ties too.
extension QueryPlan {
    func search<Model: TermContribution>(
        _ model: Model, k: Int, state: SparseIndexState, filter: ((UInt32) -> Bool)?
    ) -> SparseSearchOutcome {
        var cursors = zip(lists, weights)
            .map { TermCursor(list: $0, weight: $1, bound: model.upperBound(weight: $1, list: $0)) }
            .sorted { $0.bound < $1.bound }
        var outcome = SparseSearchOutcome(hits: [], queryPostings: lists.reduce(0) { $0 + $1.liveCount })
        guard !cursors.isEmpty else { return outcome }
        // boundsThrough[i]: the most terms 0...i together add to any document.
        var boundsThrough: [Float] = []
        var running: Float = 0
        for cursor in cursors {
            running += cursor.bound
            boundsThrough.append(running)
        }
        var top = SparseTopK(k: k)
        outcome.scoredPostings = walk(&cursors, boundsThrough: boundsThrough, model, top: &top, state: state, filter: filter)
        // Pruning compared scores summed in bound order; report the order-free score instead.
        outcome.hits = top.hits.map { hit in
            SparseHit(id: hit.id, score: canonicalScore(state.documents[hit.id]!, model))
        }
        outcome.hits.sort { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
        return outcome
    }

    /// The document-at-a-time loop; returns how many postings it scored.
    private func walk<Model: TermContribution>(
        _ cursors: inout [TermCursor], boundsThrough: [Float], _ model: Model,
        top: inout SparseTopK, state: SparseIndexState, filter: ((UInt32) -> Bool)?
    ) -> Int {
        let termCount = cursors.count
        var firstEssential = 0
        var scored = 0
        var candidate = cursors.reduce(Int.max) { min($0, $1.document) }

        while candidate != .max {
            let id = UInt32(candidate)
            var next = Int.max
            guard state.isLive(id), filter?(id) ?? true else {
                for term in firstEssential..<termCount {
                    if cursors[term].document == candidate { cursors[term].position += 1 }
                    next = min(next, cursors[term].document)
                }
                candidate = next
                continue
            }
            var score: Float = 0
            for term in firstEssential..<termCount {
                if cursors[term].document == candidate {
                    score += cursors[term].contribution(model)
                    scored += 1
                    cursors[term].position += 1
                }
                next = min(next, cursors[term].document)
            }
            var mayEnter = true
            var term = firstEssential - 1
            while term >= 0 {
                if top.isFull, score + boundsThrough[term] <= top.threshold {
                    mayEnter = false
                    break
                }
                if cursors[term].advance(to: id) {
                    score += cursors[term].contribution(model)
                    scored += 1
                }
                term -= 1
            }
            if mayEnter, top.offer(SparseHit(id: id, score: score)), top.isFull {
                let before = firstEssential
                while firstEssential < termCount, boundsThrough[firstEssential] <= top.threshold { firstEssential += 1 }
                if firstEssential != before {
                    next = cursors[firstEssential...].reduce(Int.max) { min($0, $1.document) }
                }
            }
            candidate = next
        }
        return scored
    }
}

/// A query term's place in its posting list during one search. Plain pointers into the
/// list, valid while the search holds the read lock and `QueryPlan.lists` holds the list.
struct TermCursor {
    let documents: UnsafePointer<UInt32>
    let values: UnsafePointer<Float>
    let lengths: UnsafePointer<Float>
    let count: Int
    let weight: Float
    let bound: Float
    var position = 0

    init(list: PostingList, weight: Float, bound: Float) {
        documents = UnsafePointer(list.documents)
        values = UnsafePointer(list.values)
        lengths = UnsafePointer(list.lengths)
        count = list.count
        self.weight = weight
        self.bound = bound
    }

    /// The id under the cursor, `Int.max` once the list is exhausted (ids fit in 32 bits, so
    /// the sentinel never collides with one).
    var document: Int {
        position < count ? Int(documents[position]) : .max
    }

    @inline(__always) func contribution<Model: TermContribution>(_ model: Model) -> Float {
        model.contribution(weight: weight, value: values[position], length: lengths[position])
    }

    /// Moves to the first posting at or after `id`; true if that posting is `id`'s.
    mutating func advance(to id: UInt32) -> Bool {
        position = PostingList.firstPosition(in: documents, count: count, atLeast: id, from: position)
        return position < count && documents[position] == id
    }
}

/// The k best hits seen so far: a min-heap whose root is the worst kept hit (lowest score,
/// then largest id), so the bar to enter is one comparison.
struct SparseTopK {
    let k: Int
    private(set) var hits: [SparseHit] = []

    init(k: Int) {
        self.k = k
        hits.reserveCapacity(min(k, 4096))
    }

    var isFull: Bool { hits.count >= k }

    /// The k-th best score; meaningful once full.
    var threshold: Float { hits[0].score }

    /// Keeps `hit` if it is among the k best so far; true if it was kept.
    mutating func offer(_ hit: SparseHit) -> Bool {
        if hits.count < k {
            hits.append(hit)
            siftUp(hits.count - 1)
            return true
        }
        guard Self.ranksBelow(hits[0], hit) else { return false }
        hits[0] = hit
        siftDown(0)
        return true
    }

    static func ranksBelow(_ a: SparseHit, _ b: SparseHit) -> Bool {
        a.score < b.score || (a.score == b.score && a.id > b.id)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.ranksBelow(hits[child], hits[parent]) else { return }
            hits.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < hits.count else { return }
            var worst = left
            if left + 1 < hits.count, Self.ranksBelow(hits[left + 1], hits[left]) { worst = left + 1 }
            guard Self.ranksBelow(hits[worst], hits[parent]) else { return }
            hits.swapAt(parent, worst)
            parent = worst
        }
    }
}
