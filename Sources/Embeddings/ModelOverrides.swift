/// Deviations from what a model directory says, applied at load time.
///
/// Meant for experiments and evaluation, e.g. a deliberately weaker model
/// (fewer layers, CLS pooling) to check that a quality gate notices it.
public struct ModelOverrides: Sendable, Equatable {
    /// Use only the first `layers` encoder layers (1 … num_hidden_layers).
    public var layers: Int?
    public var pooling: PoolingStrategy?
    public var normalizes: Bool?
    /// Tokens per sequence including [CLS]/[SEP] (2 … max_position_embeddings).
    public var maxSequenceLength: Int?

    public init(layers: Int? = nil, pooling: PoolingStrategy? = nil, normalizes: Bool? = nil, maxSequenceLength: Int? = nil) {
        self.layers = layers
        self.pooling = pooling
        self.normalizes = normalizes
        self.maxSequenceLength = maxSequenceLength
    }

    public static let unchanged = ModelOverrides()
}
