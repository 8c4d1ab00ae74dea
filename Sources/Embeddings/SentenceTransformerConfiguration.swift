import Foundation

/// How token vectors become one sentence vector.
public enum PoolingStrategy: String, Sendable, Equatable, CustomStringConvertible {
    /// Average over every real token, [CLS] and [SEP] included (the
    /// sentence-transformers "mean tokens" mode).
    case mean
    /// The final hidden state of the [CLS] token.
    case cls

    public var description: String { rawValue }
}

/// What the sentence-transformers files around the Transformer module say:
/// sequence length, pooling and whether vectors are L2-normalised.
struct SentenceTransformerConfiguration: Sendable, Equatable {
    var maxSequenceLength: Int
    var lowercasesInput: Bool
    var pooling: PoolingStrategy
    var normalizes: Bool

    private struct RawSentenceBertConfiguration: Decodable {
        var max_seq_length: Int?
        var do_lower_case: Bool?
    }

    private struct RawModule: Decodable {
        var path: String?
        var type: String?
    }

    private struct RawPoolingConfiguration: Decodable {
        var pooling_mode_cls_token: Bool?
        var pooling_mode_mean_tokens: Bool?
        var pooling_mode_max_tokens: Bool?
        var pooling_mode_mean_sqrt_len_tokens: Bool?
        var pooling_mode_weightedmean_tokens: Bool?
        var pooling_mode_lasttoken: Bool?
    }

    private static let poolingModuleType = "sentence_transformers.models.Pooling"
    private static let normalizeModuleType = "sentence_transformers.models.Normalize"

    /// Reads sentence_bert_config.json, modules.json and the pooling module's
    /// config.json; each is optional, with the defaults sentence-transformers
    /// itself would use for a bare Hugging Face model (512 tokens, mean
    /// pooling, no normalisation).
    static func load(
        from directory: URL, maxPositionEmbeddings: Int
    ) throws(EmbeddingsError) -> SentenceTransformerConfiguration {
        let fileManager = FileManager.default

        var maxSequenceLength = 512
        var lowercasesInput = false
        let sentenceBertURL = directory.appendingPathComponent("sentence_bert_config.json")
        if fileManager.fileExists(atPath: sentenceBertURL.path) {
            let raw = try JSONFile.decode(RawSentenceBertConfiguration.self, from: sentenceBertURL)
            if let length = raw.max_seq_length {
                guard length >= 2 else {
                    throw .invalidConfiguration(path: sentenceBertURL.path, field: "max_seq_length",
                                                reason: "must leave room for [CLS] and [SEP], got \(length)")
                }
                maxSequenceLength = length
            }
            lowercasesInput = raw.do_lower_case ?? false
        }
        // Positions past the embedding table do not exist.
        maxSequenceLength = min(maxSequenceLength, maxPositionEmbeddings)

        var poolingDirectory = "1_Pooling"
        var normalizes = false
        let modulesURL = directory.appendingPathComponent("modules.json")
        if fileManager.fileExists(atPath: modulesURL.path) {
            let modules = try JSONFile.decode([RawModule].self, from: modulesURL)
            if let pooling = modules.first(where: { $0.type == poolingModuleType }), let path = pooling.path {
                poolingDirectory = path
            }
            normalizes = modules.contains { $0.type == normalizeModuleType }
        }

        var pooling = PoolingStrategy.mean
        let poolingURL = directory.appendingPathComponent(poolingDirectory).appendingPathComponent("config.json")
        if fileManager.fileExists(atPath: poolingURL.path) {
            pooling = try poolingStrategy(from: poolingURL)
        }
        return SentenceTransformerConfiguration(
            maxSequenceLength: maxSequenceLength, lowercasesInput: lowercasesInput,
            pooling: pooling, normalizes: normalizes)
    }

    private static func poolingStrategy(from url: URL) throws(EmbeddingsError) -> PoolingStrategy {
        let raw = try JSONFile.decode(RawPoolingConfiguration.self, from: url)
        let unsupported: [(String, Bool?)] = [
            ("pooling_mode_max_tokens", raw.pooling_mode_max_tokens),
            ("pooling_mode_mean_sqrt_len_tokens", raw.pooling_mode_mean_sqrt_len_tokens),
            ("pooling_mode_weightedmean_tokens", raw.pooling_mode_weightedmean_tokens),
            ("pooling_mode_lasttoken", raw.pooling_mode_lasttoken),
        ]
        if let (field, _) = unsupported.first(where: { $0.1 == true }) {
            throw .invalidConfiguration(path: url.path, field: field, reason: "only mean and CLS pooling are supported")
        }
        // Several modes at once would concatenate vectors, which changes the
        // dimension; no model Lodestone serves does that.
        switch (raw.pooling_mode_mean_tokens ?? false, raw.pooling_mode_cls_token ?? false) {
        case (true, false): return .mean
        case (false, true): return .cls
        case (true, true):
            throw .invalidConfiguration(path: url.path, field: "pooling_mode_cls_token",
                                        reason: "mean and CLS pooling together (concatenated) are not supported")
        case (false, false):
            throw .invalidConfiguration(path: url.path, field: "pooling_mode_mean_tokens",
                                        reason: "no pooling mode is enabled")
        }
    }
}
