/// The BERT encoder: embeddings, then the transformer layers in order.
struct BertEncoder: Sendable {
    let configuration: BertConfiguration
    let embeddings: BertEmbeddingLayer
    let layers: [BertEncoderLayer]

    init(configuration: BertConfiguration, weights: BertWeights) {
        self.configuration = configuration
        embeddings = BertEmbeddingLayer(
            weights: weights.embeddings, hiddenSize: configuration.hiddenSize,
            layerNormEpsilon: configuration.layerNormEpsilon)
        layers = weights.layers.map {
            BertEncoderLayer(weights: $0, headCount: configuration.attentionHeadCount,
                             layerNormEpsilon: configuration.layerNormEpsilon)
        }
    }

    func makeWorkspace(tokenCapacity: Int, sequenceLengthCapacity: Int) -> EncoderWorkspace {
        EncoderWorkspace(
            tokenCapacity: tokenCapacity, sequenceLengthCapacity: sequenceLengthCapacity,
            hiddenSize: configuration.hiddenSize, intermediateSize: configuration.intermediateSize)
    }

    /// Leaves the final hidden states, [tokens × hidden], in
    /// `workspace.hidden`.
    func callAsFunction(_ batch: PackedBatch, workspace: EncoderWorkspace) {
        precondition(batch.tokenCount <= workspace.tokenCapacity, "workspace sized for fewer tokens")
        precondition(batch.longestSequence <= workspace.sequenceLengthCapacity, "workspace sized for shorter sequences")
        embeddings(batch, workspace: workspace)
        for layer in layers {
            layer(batch, workspace: workspace)
        }
    }

    /// Multiply-add work of the matrix products for sequences of these
    /// lengths, counted as 2·m·n·k per product: Q, K, V and output
    /// projections, the two feed-forward products, and per head the score
    /// and context products.
    func matrixProductFLOPs(sequenceLengths: [Int]) -> Double {
        let hidden = Double(configuration.hiddenSize)
        let intermediate = Double(configuration.intermediateSize)
        var perLayer = 0.0
        for length in sequenceLengths {
            let tokens = Double(length)
            let projections = 4 * 2 * tokens * hidden * hidden
            let feedForward = 2 * 2 * tokens * hidden * intermediate
            // Heads × (L×L×d + L×d×L) = 2·L²·hidden multiply-adds.
            let attention = 2 * 2 * tokens * tokens * hidden
            perLayer += projections + feedForward + attention
        }
        return perLayer * Double(layers.count)
    }
}
