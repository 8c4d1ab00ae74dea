/// Turns the final hidden states of each sequence into one sentence vector:
/// mean over the sequence's tokens or its [CLS] row, then optionally scaled
/// to unit length.
struct SentencePooling: Sendable {
    let strategy: PoolingStrategy
    let normalizes: Bool

    func callAsFunction(_ batch: PackedBatch, hidden: UnsafePointer<Float>, width: Int) -> [[Float]] {
        batch.sequenceRanges.map { range in
            var vector = [Float](repeating: 0, count: width)
            vector.withUnsafeMutableBufferPointer { sentence in
                switch strategy {
                case .cls:
                    sentence.baseAddress!.update(from: hidden + range.lowerBound * width, count: width)
                case .mean:
                    // Every real token counts, [CLS] and [SEP] included, as in
                    // sentence-transformers with its attention mask.
                    for row in range {
                        let tokenVector = hidden + row * width
                        for column in 0..<width { sentence[column] += tokenVector[column] }
                    }
                    let reciprocal = 1 / Float(range.count)
                    for column in 0..<width { sentence[column] *= reciprocal }
                }
                if normalizes {
                    var squareSum: Float = 0
                    for column in 0..<width { squareSum += sentence[column] * sentence[column] }
                    // torch.nn.functional.normalize's floor on the norm.
                    let reciprocal = 1 / max(squareSum.squareRoot(), 1e-12)
                    for column in 0..<width { sentence[column] *= reciprocal }
                }
            }
            return vector
        }
    }
}
