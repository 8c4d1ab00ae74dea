import Foundation

/// A BERT-family sentence-embedding model (e.g. all-MiniLM-L6-v2) run
/// natively from a sentence-transformers directory: text in, vectors out.
///
/// The embedder is immutable after loading (weights stay memory-mapped and
/// read-only) and every call allocates its own scratch buffers, so one
/// instance can serve any number of concurrent callers.
public final class SentenceEmbedder: Sendable {
    public let info: ModelInfo
    public let tokenizer: WordPieceTokenizer
    private let encoder: BertEncoder
    private let pooling: SentencePooling

    /// Loads config.json, the tokenizer files, the sentence-transformers
    /// module configuration and model.safetensors from `modelDirectory`.
    public convenience init(modelDirectory: URL) throws {
        try self.init(modelDirectory: modelDirectory, overrides: .unchanged)
    }

    /// Loads the model with some of its settings replaced; see
    /// `ModelOverrides`.
    public init(modelDirectory: URL, overrides: ModelOverrides) throws {
        let configurationURL = modelDirectory.appendingPathComponent("config.json")
        let configuration = try BertConfiguration.load(from: configurationURL)
        var sentenceConfiguration = try SentenceTransformerConfiguration.load(
            from: modelDirectory, maxPositionEmbeddings: configuration.maxPositionEmbeddings)

        let layerCount = overrides.layers ?? configuration.layerCount
        guard (1...configuration.layerCount).contains(layerCount) else {
            throw EmbeddingsError.invalidOverride(
                reason: "layers must be between 1 and \(configuration.layerCount) for this model, got \(layerCount)")
        }
        if let length = overrides.maxSequenceLength {
            guard (2...configuration.maxPositionEmbeddings).contains(length) else {
                throw EmbeddingsError.invalidOverride(
                    reason: "maxSequenceLength must be between 2 and \(configuration.maxPositionEmbeddings), got \(length)")
            }
            sentenceConfiguration.maxSequenceLength = length
        }
        sentenceConfiguration.pooling = overrides.pooling ?? sentenceConfiguration.pooling
        sentenceConfiguration.normalizes = overrides.normalizes ?? sentenceConfiguration.normalizes

        let tokenizer = try WordPieceTokenizer(modelDirectory: modelDirectory, sentenceConfiguration: sentenceConfiguration)
        // Every id the tokenizer can produce must index the embedding table.
        guard tokenizer.vocabularySize <= configuration.vocabularySize else {
            throw EmbeddingsError.invalidConfiguration(
                path: configurationURL.path, field: "vocab_size",
                reason: "the tokenizer vocabulary has \(tokenizer.vocabularySize) tokens, more than vocab_size \(configuration.vocabularySize)")
        }

        let weightsFile = try SafeTensorsFile(path: modelDirectory.appendingPathComponent("model.safetensors").path)
        let weights = try BertWeights(file: weightsFile, configuration: configuration, layerCount: layerCount)

        self.tokenizer = tokenizer
        encoder = BertEncoder(configuration: configuration, weights: weights)
        pooling = SentencePooling(strategy: sentenceConfiguration.pooling, normalizes: sentenceConfiguration.normalizes)
        info = ModelInfo(
            architecture: configuration.architecture,
            hiddenSize: configuration.hiddenSize,
            layerCount: layerCount,
            attentionHeadCount: configuration.attentionHeadCount,
            intermediateSize: configuration.intermediateSize,
            vocabularySize: configuration.vocabularySize,
            maxSequenceLength: sentenceConfiguration.maxSequenceLength,
            pooling: sentenceConfiguration.pooling,
            normalizes: sentenceConfiguration.normalizes)
    }

    /// Length of every vector this model returns.
    public var dimension: Int { info.dimension }

    /// Tokens per input including [CLS] and [SEP]; longer text is truncated.
    public var maxSequenceLength: Int { info.maxSequenceLength }

    /// The token ids the model sees for `text`, [CLS] and [SEP] included,
    /// after truncation.
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.tokenize(text)
    }

    /// Tokens `text` has before truncation, [CLS] and [SEP] included: more than
    /// `maxSequenceLength` means the model sees only its beginning.
    public func untruncatedTokenCount(_ text: String) -> Int {
        tokenizer.wordPieceIDs(text).count + 2
    }

    /// The embedding of one text.
    public func embed(_ text: String) throws -> [Float] {
        try embed([text], batchSize: 1)[0]
    }

    /// Embeddings of `texts`, in the same order.
    ///
    /// Texts are sorted by token count and cut into batches of `batchSize`,
    /// so each batch holds texts of similar length; each batch runs through
    /// the encoder as one packed matrix (see `PackedBatch`). The results do
    /// not depend on how texts are batched beyond float rounding.
    public func embed(_ texts: [String], batchSize: Int = 32) throws -> [[Float]] {
        guard batchSize >= 1 else {
            throw EmbeddingsError.invalidArgument(reason: "batchSize must be at least 1, got \(batchSize)")
        }
        guard !texts.isEmpty else { return [] }

        let tokenized = texts.map { tokenizer.tokenize($0) }
        let longestFirst = tokenized.indices.sorted { tokenized[$0].count > tokenized[$1].count }
        let batches = stride(from: 0, to: longestFirst.count, by: batchSize).map {
            Array(longestFirst[$0..<min($0 + batchSize, longestFirst.count)])
        }

        let tokenCapacity = batches.map { $0.reduce(0) { $0 + tokenized[$1].count } }.max() ?? 0
        let workspace = encoder.makeWorkspace(
            tokenCapacity: tokenCapacity, sequenceLengthCapacity: tokenized[longestFirst[0]].count)

        var embeddings = [[Float]](repeating: [], count: texts.count)
        for batchIndices in batches {
            let batch = PackedBatch(batchIndices.map { tokenized[$0] })
            encoder(batch, workspace: workspace)
            let vectors = pooling(batch, hidden: workspace.hidden, width: info.hiddenSize)
            for (textIndex, vector) in zip(batchIndices, vectors) {
                embeddings[textIndex] = vector
            }
        }
        return embeddings
    }

    /// Multiply-add FLOPs (2·m·n·k per product) of the encoder's matrix
    /// products for sequences with these token counts ([CLS]/[SEP]
    /// included), for reporting achieved GFLOP/s.
    public func encoderFLOPs(tokenCounts: [Int]) -> Double {
        encoder.matrixProductFLOPs(sequenceLengths: tokenCounts)
    }
}
