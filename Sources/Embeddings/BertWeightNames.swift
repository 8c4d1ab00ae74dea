/// The Hugging Face names of every BERT weight this runtime reads, in one
/// place.
///
/// A `BertModel` checkpoint (what sentence-transformers saves) names them
/// `embeddings.…` and `encoder.layer.N.…`; a checkpoint saved from a model
/// with a head (`BertForMaskedLM`, …) puts `bert.` in front. The prefix is
/// detected once, from the word-embedding table.
struct BertWeightNames: Sendable {
    let prefix: String

    static let prefixCandidates = ["", "bert."]

    var wordEmbeddings: String { prefix + "embeddings.word_embeddings.weight" }
    var positionEmbeddings: String { prefix + "embeddings.position_embeddings.weight" }
    var tokenTypeEmbeddings: String { prefix + "embeddings.token_type_embeddings.weight" }
    var embeddingLayerNormWeight: String { prefix + "embeddings.LayerNorm.weight" }
    var embeddingLayerNormBias: String { prefix + "embeddings.LayerNorm.bias" }

    func layer(_ index: Int) -> Layer {
        Layer(base: "\(prefix)encoder.layer.\(index).")
    }

    struct Layer: Sendable {
        let base: String

        var queryWeight: String { base + "attention.self.query.weight" }
        var queryBias: String { base + "attention.self.query.bias" }
        var keyWeight: String { base + "attention.self.key.weight" }
        var keyBias: String { base + "attention.self.key.bias" }
        var valueWeight: String { base + "attention.self.value.weight" }
        var valueBias: String { base + "attention.self.value.bias" }
        var attentionOutputWeight: String { base + "attention.output.dense.weight" }
        var attentionOutputBias: String { base + "attention.output.dense.bias" }
        var attentionLayerNormWeight: String { base + "attention.output.LayerNorm.weight" }
        var attentionLayerNormBias: String { base + "attention.output.LayerNorm.bias" }
        var intermediateWeight: String { base + "intermediate.dense.weight" }
        var intermediateBias: String { base + "intermediate.dense.bias" }
        var outputWeight: String { base + "output.dense.weight" }
        var outputBias: String { base + "output.dense.bias" }
        var outputLayerNormWeight: String { base + "output.LayerNorm.weight" }
        var outputLayerNormBias: String { base + "output.LayerNorm.bias" }
    }

    /// The naming the file uses, or nil when it has no BERT embeddings.
    static func detect(in tensorNames: some Collection<String>) -> BertWeightNames? {
        let names = Set(tensorNames)
        for prefix in prefixCandidates where names.contains(BertWeightNames(prefix: prefix).wordEmbeddings) {
            return BertWeightNames(prefix: prefix)
        }
        return nil
    }
}
