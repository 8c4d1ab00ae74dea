/// What a loaded model is, for logs, model registries and API responses.
public struct ModelInfo: Sendable, Equatable, CustomStringConvertible {
    /// From config.json's `architectures`, e.g. "BertModel".
    public let architecture: String
    public let hiddenSize: Int
    /// Encoder layers actually run (after any override).
    public let layerCount: Int
    public let attentionHeadCount: Int
    public let intermediateSize: Int
    public let vocabularySize: Int
    /// Tokens per sequence including [CLS] and [SEP]; longer input is truncated.
    public let maxSequenceLength: Int
    public let pooling: PoolingStrategy
    /// Whether vectors are scaled to unit length (cosine = dot product).
    public let normalizes: Bool

    /// Length of the vectors the model produces.
    public var dimension: Int { hiddenSize }

    public var description: String {
        "\(architecture): \(layerCount) layers, hidden \(hiddenSize), \(attentionHeadCount) heads, "
            + "intermediate \(intermediateSize), vocabulary \(vocabularySize), max \(maxSequenceLength) tokens, "
            + "\(pooling) pooling, \(normalizes ? "L2-normalised" : "not normalised")"
    }
}
