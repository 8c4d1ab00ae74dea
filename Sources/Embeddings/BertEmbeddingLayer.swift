/// Token vectors before the first layer: word + position + token type
/// embeddings, then LayerNorm.
struct BertEmbeddingLayer: Sendable {
    let weights: EmbeddingWeights
    let hiddenSize: Int
    let layerNormEpsilon: Float

    /// Writes [tokens × hidden] into `workspace.hidden`. Positions restart at
    /// zero for every sequence of the batch; the token type is always 0
    /// (single-sentence input).
    func callAsFunction(_ batch: PackedBatch, workspace: EncoderWorkspace) {
        let width = hiddenSize
        let output = workspace.hidden
        weights.words.withUnsafeElements { words in
            weights.positions.withUnsafeElements { positions in
                weights.tokenTypes.withUnsafeElements { tokenTypes in
                    for range in batch.sequenceRanges {
                        for (position, row) in range.enumerated() {
                            let tokenID = Int(batch.tokenIDs[row])
                            precondition(tokenID >= 0 && tokenID < weights.words.shape[0], "token id outside the embedding table")
                            let destination = output + row * width
                            let word = words.baseAddress! + tokenID * width
                            let place = positions.baseAddress! + position * width
                            let type = tokenTypes.baseAddress!
                            for column in 0..<width {
                                destination[column] = word[column] + place[column] + type[column]
                            }
                        }
                    }
                }
            }
        }
        weights.layerNorm.scale.withUnsafeElements { scale in
            weights.layerNorm.shift.withUnsafeElements { shift in
                ElementwiseKernels.addAndLayerNormalize(
                    input: output, bias: nil, residual: nil, output: output,
                    rowCount: batch.tokenCount, width: width,
                    scale: scale.baseAddress!, shift: shift.baseAddress!, epsilon: layerNormEpsilon)
            }
        }
    }
}
