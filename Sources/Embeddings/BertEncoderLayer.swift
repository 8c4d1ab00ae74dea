/// One transformer block of BERT (post-LayerNorm):
///
///     h = LayerNorm(h + Dense(Attention(h)))
///     h = LayerNorm(h + Dense(GELU(Dense(h))))
struct BertEncoderLayer: Sendable {
    let attention: BertSelfAttention
    let attentionOutput: LinearWeights
    let attentionLayerNorm: LayerNormWeights
    let intermediate: LinearWeights
    let output: LinearWeights
    let outputLayerNorm: LayerNormWeights
    let layerNormEpsilon: Float

    init(weights: EncoderLayerWeights, headCount: Int, layerNormEpsilon: Float) {
        attention = BertSelfAttention(query: weights.query, key: weights.key, value: weights.value, headCount: headCount)
        attentionOutput = weights.attentionOutput
        attentionLayerNorm = weights.attentionLayerNorm
        intermediate = weights.intermediate
        output = weights.output
        outputLayerNorm = weights.outputLayerNorm
        self.layerNormEpsilon = layerNormEpsilon
    }

    /// Transforms `workspace.hidden` in place.
    func callAsFunction(_ batch: PackedBatch, workspace: EncoderWorkspace) {
        let tokenCount = batch.tokenCount
        attention(batch, workspace: workspace)

        // Each dense layer's bias rides along with the element-wise pass
        // that follows it, rather than costing a pass of its own.
        attentionOutput.multiplyWithoutBias(workspace.context, rowCount: tokenCount, output: workspace.projected)
        addAndNormalize(workspace.projected, bias: attentionOutput.bias, into: workspace.hidden,
                        rowCount: tokenCount, weights: attentionLayerNorm)

        intermediate.multiplyWithoutBias(workspace.hidden, rowCount: tokenCount, output: workspace.intermediate)
        intermediate.bias.withUnsafeElements { bias in
            ElementwiseKernels.addBiasAndApplyGELU(
                workspace.intermediate, bias: bias.baseAddress!, rowCount: tokenCount, width: intermediate.outputSize)
        }

        output.multiplyWithoutBias(workspace.intermediate, rowCount: tokenCount, output: workspace.projected)
        addAndNormalize(workspace.projected, bias: output.bias, into: workspace.hidden,
                        rowCount: tokenCount, weights: outputLayerNorm)
    }

    /// hidden = LayerNorm(sublayerOutput + bias + hidden).
    private func addAndNormalize(
        _ sublayerOutput: UnsafeMutablePointer<Float>, bias: FloatTensor, into hidden: UnsafeMutablePointer<Float>,
        rowCount: Int, weights: LayerNormWeights
    ) {
        bias.withUnsafeElements { bias in
            weights.scale.withUnsafeElements { scale in
                weights.shift.withUnsafeElements { shift in
                    ElementwiseKernels.addAndLayerNormalize(
                        input: sublayerOutput, bias: bias.baseAddress!, residual: hidden, output: hidden,
                        rowCount: rowCount, width: scale.count,
                        scale: scale.baseAddress!, shift: shift.baseAddress!, epsilon: layerNormEpsilon)
                }
            }
        }
    }
}
