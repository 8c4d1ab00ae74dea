/// The scratch buffers of one forward pass, allocated once per call to
/// `embed` and reused for every batch and layer of that call.
///
/// Each concurrent caller gets its own workspace, which is what lets the
/// embedder itself stay immutable and shareable. Raw allocations rather
/// than `[Float]` because the encoder hands several of them to BLAS at once,
/// and nested `withUnsafeMutableBufferPointer` closures would obscure the
/// math.
final class EncoderWorkspace {
    /// [tokens × hidden] each.
    let hidden: UnsafeMutablePointer<Float>
    let query: UnsafeMutablePointer<Float>
    let key: UnsafeMutablePointer<Float>
    let value: UnsafeMutablePointer<Float>
    let context: UnsafeMutablePointer<Float>
    let projected: UnsafeMutablePointer<Float>
    /// [tokens × intermediate].
    let intermediate: UnsafeMutablePointer<Float>
    /// [longest × longest] per attention worker: the scores of the head a
    /// worker is on.
    private let attentionScores: UnsafeMutablePointer<Float>

    let tokenCapacity: Int
    let sequenceLengthCapacity: Int
    private let allocations: [UnsafeMutablePointer<Float>]

    init(tokenCapacity: Int, sequenceLengthCapacity: Int, hiddenSize: Int, intermediateSize: Int) {
        self.tokenCapacity = tokenCapacity
        self.sequenceLengthCapacity = sequenceLengthCapacity
        let rows = max(tokenCapacity, 1)
        func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
            return pointer
        }
        hidden = allocate(rows * hiddenSize)
        query = allocate(rows * hiddenSize)
        key = allocate(rows * hiddenSize)
        value = allocate(rows * hiddenSize)
        context = allocate(rows * hiddenSize)
        projected = allocate(rows * hiddenSize)
        intermediate = allocate(rows * intermediateSize)
        attentionScores = allocate(ParallelChunks.workerCount * sequenceLengthCapacity * sequenceLengthCapacity)
        allocations = [hidden, query, key, value, context, projected, intermediate, attentionScores]
    }

    /// The score scratch of attention worker `worker`.
    func attentionScores(forWorker worker: Int) -> UnsafeMutablePointer<Float> {
        precondition(worker >= 0 && worker < ParallelChunks.workerCount)
        return attentionScores + worker * sequenceLengthCapacity * sequenceLengthCapacity
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }
}
