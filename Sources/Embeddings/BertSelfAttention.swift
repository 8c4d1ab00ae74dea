/// Multi-head self-attention over the packed batch: Q, K and V for all
/// tokens in three large products, then per sequence and head
/// `softmax(Q·Kᵀ/√d)·V`, each a pair of small products.
///
/// A sequence only ever sees its own rows, which is the padding mask of a
/// padded batch (softmax over the real keys only) with no padding to skip.
struct BertSelfAttention: Sendable {
    let query: LinearWeights
    let key: LinearWeights
    let value: LinearWeights
    let headCount: Int

    /// Reads `workspace.hidden`, writes the attention context (heads side by
    /// side, [tokens × hidden]) into `workspace.context`.
    func callAsFunction(_ batch: PackedBatch, workspace: EncoderWorkspace) {
        let tokenCount = batch.tokenCount
        query.apply(to: workspace.hidden, rowCount: tokenCount, output: workspace.query)
        key.apply(to: workspace.hidden, rowCount: tokenCount, output: workspace.key)
        value.apply(to: workspace.hidden, rowCount: tokenCount, output: workspace.value)

        let hiddenSize = query.outputSize
        let headSize = hiddenSize / headCount
        let scale = 1 / Float(headSize).squareRoot()
        let ranges = batch.sequenceRanges

        // Sequences are independent; with similar lengths in a batch (the
        // embedder sorts by length), consecutive runs of them balance well.
        // Small batches stay on the calling thread.
        ParallelChunks.run(count: ranges.count, minimumPerWorker: 2) { worker, sequenceIndices in
            let scores = workspace.attentionScores(forWorker: worker)
            for range in ranges[sequenceIndices] {
                let length = range.count
                precondition(length <= workspace.sequenceLengthCapacity, "workspace sized for a shorter sequence")
                for head in 0..<headCount {
                    // Head h of a sequence is a strided sub-matrix of Q, K, V:
                    // its rows, columns h·d ..< (h+1)·d, row stride = hidden.
                    let offset = range.lowerBound * hiddenSize + head * headSize
                    MatrixProduct.multiply(
                        rows: length, columns: length, inner: headSize,
                        a: workspace.query + offset, aStride: hiddenSize,
                        b: workspace.key + offset, bStride: hiddenSize, transposingB: true,
                        c: scores, cStride: length, alpha: scale)
                    ElementwiseKernels.softmaxRows(scores, rowCount: length, columnCount: length, rowStride: length)
                    MatrixProduct.multiply(
                        rows: length, columns: headSize, inner: length,
                        a: scores, aStride: length,
                        b: workspace.value + offset, bStride: hiddenSize, transposingB: false,
                        c: workspace.context + offset, cStride: hiddenSize)
                }
            }
        }
    }
}
