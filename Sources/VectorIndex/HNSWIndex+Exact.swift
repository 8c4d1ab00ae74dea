import CVectorKernels
import Synchronization
import VectorKernels

extension HNSWIndex {
    /// Exact top-k over the index's own vectors, then a bounded heap. For dot and cosine the
    /// inner products come from `cblas_sgemm` straight over the stored vectors (rows
    /// `vectorStride` bytes apart, in the records or on disk, no copy); L2 takes one pass of the SIMD kernel per row, which
    /// reads each vector once (the product alone would need a second pass for its norm).
    /// `params.exact` and very selective filters use it; it is also the recall reference for a
    /// live collection. Deleted vectors and ids rejected by `filter` are never returned.
    public func exactSearch(_ query: [Float], k: Int, filter: ((UInt32) -> Bool)? = nil) throws(IndexError) -> [Neighbor] {
        guard query.count == dimension else { throw .dimensionMismatch(expected: dimension, actual: query.count) }
        guard k > 0 else { return [] }
        let prepared = metric.normalizesVectors ? VectorMath.normalized(query) : query
        return structureLock.withReadLock {
            let view = storage.view
            let nodes = min(count, view.capacity)
            var selector = TopKSelector(k: k)
            let block = 4096
            var products = [Float](repeating: 0, count: block)
            // Paged vectors are read a block at a time into this buffer.
            var staging = [Float](repeating: 0, count: view.paged == nil ? 0 : block * dimension)
            prepared.withUnsafeBufferPointer { queryBuffer in
                products.withUnsafeMutableBufferPointer { productBuffer in staging.withUnsafeMutableBufferPointer { stagingBuffer in
                    for start in stride(from: 0, to: nodes, by: block) {
                        let rows = min(block, nodes - start)
                        let (vectors, strideFloats) = view.readVectors(start ..< start + rows, into: stagingBuffer.baseAddress ?? productBuffer.baseAddress!)
                        if metric != .l2 {
                            BLAS.multiplyTransposed(
                                queryBuffer.baseAddress!, rows: 1,
                                vectors, rows: rows, stride: strideFloats,
                                depth: dimension, into: productBuffer.baseAddress!)
                        }
                        for offset in 0..<rows {
                            let slot = UInt32(start + offset)
                            let distance = metric == .l2
                                ? kernel.distance(queryBuffer.baseAddress!, vectors + offset * strideFloats, count: dimension)
                                : 1 - productBuffer[offset]
                            guard distance < selector.threshold, !view.isDeleted(slot) else { continue }
                            let id = view.labels[Int(slot)]
                            if let filter, !filter(id) { continue }
                            selector.offer(id: id, distance: distance)
                        }
                    }
                } }
            }
            return selector.sorted()
        }
    }

    /// Exact top-k among `ids` only (unknown or deleted ids are skipped): the cost follows the
    /// number of candidates, which is what makes very selective filters fast and exact.
    public func exactSearch(_ query: [Float], k: Int, among ids: [UInt32]) throws(IndexError) -> [Neighbor] {
        guard query.count == dimension else { throw .dimensionMismatch(expected: dimension, actual: query.count) }
        guard k > 0, !ids.isEmpty else { return [] }
        let prepared = metric.normalizesVectors ? VectorMath.normalized(query) : query
        let slots = slotsByID.withLock { map in
            ids.compactMap { id in map[id].flatMap { $0 == HNSWIndex.slotBeingInserted ? nil : (id, $0) } }
        }
        return structureLock.withReadLock {
            let view = storage.view
            var selector = TopKSelector(k: k)
            let bytesPerVector = dimension * MemoryLayout<Float>.size
            var copy = [Float](repeating: 0, count: dimension)
            prepared.withUnsafeBufferPointer { queryBuffer in copy.withUnsafeMutableBufferPointer { copyBuffer in
                for position in slots.indices {
                    // The matches are scattered over the graph's memory: fetch a few ahead.
                    if view.paged == nil, position + 4 < slots.count {
                        let ahead = UnsafeRawPointer(view.vector(slots[position + 4].1))
                        var line = 0
                        while line < bytesPerVector {
                            lodestone_prefetch(ahead + line)
                            line += 64
                        }
                    }
                    let (id, slot) = slots[position]
                    guard !view.isDeleted(slot) else { continue }
                    let vector = view.readVector(slot, into: copyBuffer.baseAddress!)
                    selector.offer(id: id, distance: kernel.distance(queryBuffer.baseAddress!, vector, count: dimension))
                }
            } }
            return selector.sorted()
        }
    }
}
