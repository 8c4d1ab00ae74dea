import Foundation

/// The architecture hyper-parameters from a Hugging Face `config.json`.
struct BertConfiguration: Sendable, Equatable {
    var hiddenSize: Int
    var layerCount: Int
    var attentionHeadCount: Int
    var intermediateSize: Int
    var maxPositionEmbeddings: Int
    var typeVocabularySize: Int
    var layerNormEpsilon: Float
    var vocabularySize: Int
    var architecture: String


    /// The fields as spelled in config.json. Every one is optional in the
    /// decoder so that a missing field is reported by name, not as a
    /// generic decoding failure.
    private struct RawConfiguration: Decodable {
        var hidden_size: Int?
        var num_hidden_layers: Int?
        var num_attention_heads: Int?
        var intermediate_size: Int?
        var max_position_embeddings: Int?
        var type_vocab_size: Int?
        var layer_norm_eps: Double?
        var vocab_size: Int?
        var hidden_act: String?
        var architectures: [String]?
        var model_type: String?
        var position_embedding_type: String?
    }

    static func load(from url: URL) throws(EmbeddingsError) -> BertConfiguration {
        let path = url.path
        let raw: RawConfiguration = try JSONFile.decode(RawConfiguration.self, from: url)

        func required(_ value: Int?, _ field: String) throws(EmbeddingsError) -> Int {
            guard let value else {
                throw .invalidConfiguration(path: path, field: field, reason: "the field is missing")
            }
            guard value > 0 else {
                throw .invalidConfiguration(path: path, field: field, reason: "must be positive, got \(value)")
            }
            return value
        }

        // The only activation implemented is the exact (erf) GELU that
        // "gelu" means in transformers; the tanh approximation ("gelu_new",
        // "gelu_pytorch_tanh") would give subtly different vectors.
        let activation = raw.hidden_act ?? "gelu"
        guard activation == "gelu" else {
            throw .unsupportedActivation(path: path, activation: activation)
        }
        if let positionType = raw.position_embedding_type, positionType != "absolute" {
            throw .invalidConfiguration(path: path, field: "position_embedding_type",
                                        reason: "only \"absolute\" is supported, got \"\(positionType)\"")
        }

        let configuration = BertConfiguration(
            hiddenSize: try required(raw.hidden_size, "hidden_size"),
            layerCount: try required(raw.num_hidden_layers, "num_hidden_layers"),
            attentionHeadCount: try required(raw.num_attention_heads, "num_attention_heads"),
            intermediateSize: try required(raw.intermediate_size, "intermediate_size"),
            maxPositionEmbeddings: try required(raw.max_position_embeddings, "max_position_embeddings"),
            typeVocabularySize: try required(raw.type_vocab_size ?? 2, "type_vocab_size"),
            layerNormEpsilon: Float(raw.layer_norm_eps ?? 1e-12),
            vocabularySize: try required(raw.vocab_size, "vocab_size"),
            architecture: raw.architectures?.first ?? raw.model_type ?? "BertModel")

        guard configuration.hiddenSize % configuration.attentionHeadCount == 0 else {
            throw .invalidConfiguration(
                path: path, field: "num_attention_heads",
                reason: "hidden_size \(configuration.hiddenSize) is not a multiple of \(configuration.attentionHeadCount) heads")
        }
        guard configuration.layerNormEpsilon > 0 else {
            throw .invalidConfiguration(path: path, field: "layer_norm_eps", reason: "must be positive")
        }
        return configuration
    }
}

/// Reading of the small JSON files of a model directory, with errors that
/// name the file.
enum JSONFile {
    static func decode<Value: Decodable>(_ type: Value.Type, from url: URL) throws(EmbeddingsError) -> Value {
        let data = try read(url)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .invalidJSON(path: url.path, reason: String(describing: error))
        }
    }

    static func read(_ url: URL) throws(EmbeddingsError) -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .missingFile(path: url.path)
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }
}
