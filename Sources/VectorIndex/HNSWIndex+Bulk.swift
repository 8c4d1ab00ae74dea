import Dispatch
import Synchronization

extension HNSWIndex {
    /// Inserts every row of `vectors` under the matching id, on `threads` threads.
    /// `progress` receives the number of vectors inserted so far, from any thread.
    public func insert(
        contentsOf vectors: VectorMatrix, ids: [UInt32], threads: Int = 1,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws(IndexError) {
        guard vectors.dimension == dimension else {
            throw .dimensionMismatch(expected: dimension, actual: vectors.dimension)
        }
        precondition(ids.count == vectors.count, "one id per vector")
        // Growing copies the whole graph under the structure lock, which stalls every search:
        // an index that is already serving grows geometrically, so batch after batch of writes
        // does not copy it each time (a first load reserves exactly what it needs).
        let needed = count + vectors.count
        let current = capacity
        if needed > current { reserveCapacity(count == 0 ? needed : max(needed, min(current * 2, current + (1 << 20)))) }
        let total = vectors.count
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let failure = Mutex<IndexError?>(nil)
        let reportEvery = max(1, total / 200)

        let work: @Sendable () -> Void = {
            vectors.withUnsafeRows { rows in
                while failure.withLock({ $0 == nil }) {
                    let row = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard row < total else { return }
                    let vector = UnsafeBufferPointer(rebasing: rows[row * self.dimension ..< (row + 1) * self.dimension])
                    do throws(IndexError) {
                        try self.insert(vector, id: ids[row])
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                        return
                    }
                    let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
                    if let progress, finished % reportEvery == 0 || finished == total { progress(finished) }
                }
            }
        }
        let workers = max(1, min(threads, total))
        if workers == 1 {
            work()
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in work() }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Runs one search per row of `queries` on `threads` threads; results are in query order.
    public func search(_ queries: VectorMatrix, k: Int, ef: Int? = nil, threads: Int = 1) throws(IndexError) -> [[Neighbor]] {
        guard queries.dimension == dimension else {
            throw .dimensionMismatch(expected: dimension, actual: queries.dimension)
        }
        let results = Mutex([[Neighbor]](repeating: [], count: queries.count))
        let next = Atomic<Int>(0)
        let work: @Sendable () -> Void = {
            while true {
                let row = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard row < queries.count else { return }
                let found = (try? self.search(Array(queries.row(row)), k: k, ef: ef)) ?? []
                results.withLock { $0[row] = found }
            }
        }
        if threads <= 1 {
            work()
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in work() }
        }
        return results.withLock { $0 }
    }
}
