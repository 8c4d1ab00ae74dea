/// A dense layer `y = x·Wᵀ + b` with W stored [outputs × inputs], as
/// PyTorch's `nn.Linear` saves it.
struct LinearWeights: Sendable {
    let weight: FloatTensor
    let bias: FloatTensor
    var inputSize: Int { weight.shape[1] }
    var outputSize: Int { weight.shape[0] }
}

/// LayerNorm's scale (gamma) and shift (beta).
struct LayerNormWeights: Sendable {
    let scale: FloatTensor
    let shift: FloatTensor
}

struct EmbeddingWeights: Sendable {
    let words: FloatTensor
    let positions: FloatTensor
    let tokenTypes: FloatTensor
    let layerNorm: LayerNormWeights
}

struct EncoderLayerWeights: Sendable {
    let query: LinearWeights
    let key: LinearWeights
    let value: LinearWeights
    let attentionOutput: LinearWeights
    let attentionLayerNorm: LayerNormWeights
    let intermediate: LinearWeights
    let output: LinearWeights
    let outputLayerNorm: LayerNormWeights
}

/// All weights of a BERT encoder, each checked against config.json.
struct BertWeights: Sendable {
    let embeddings: EmbeddingWeights
    let layers: [EncoderLayerWeights]

    /// Loads the embeddings and the first `layerCount` encoder layers.
    init(file: SafeTensorsFile, configuration: BertConfiguration, layerCount: Int) throws(EmbeddingsError) {
        guard let names = BertWeightNames.detect(in: file.entries.keys) else {
            throw .missingTensor(path: file.path, tensor: BertWeightNames(prefix: "").wordEmbeddings)
        }
        let loader = ShapeCheckedLoader(file: file)
        let hidden = configuration.hiddenSize
        let intermediate = configuration.intermediateSize

        func layerNorm(_ scale: String, _ shift: String) throws(EmbeddingsError) -> LayerNormWeights {
            LayerNormWeights(scale: try loader.tensor(scale, shape: [hidden]),
                             shift: try loader.tensor(shift, shape: [hidden]))
        }
        func linear(_ weight: String, _ bias: String, outputs: Int, inputs: Int) throws(EmbeddingsError) -> LinearWeights {
            LinearWeights(weight: try loader.tensor(weight, shape: [outputs, inputs]),
                          bias: try loader.tensor(bias, shape: [outputs]))
        }

        embeddings = EmbeddingWeights(
            words: try loader.tensor(names.wordEmbeddings, shape: [configuration.vocabularySize, hidden]),
            positions: try loader.tensor(names.positionEmbeddings, shape: [configuration.maxPositionEmbeddings, hidden]),
            tokenTypes: try loader.tensor(names.tokenTypeEmbeddings, shape: [configuration.typeVocabularySize, hidden]),
            layerNorm: try layerNorm(names.embeddingLayerNormWeight, names.embeddingLayerNormBias))

        var layers: [EncoderLayerWeights] = []
        for index in 0..<layerCount {
            let layer = names.layer(index)
            layers.append(EncoderLayerWeights(
                query: try linear(layer.queryWeight, layer.queryBias, outputs: hidden, inputs: hidden),
                key: try linear(layer.keyWeight, layer.keyBias, outputs: hidden, inputs: hidden),
                value: try linear(layer.valueWeight, layer.valueBias, outputs: hidden, inputs: hidden),
                attentionOutput: try linear(layer.attentionOutputWeight, layer.attentionOutputBias, outputs: hidden, inputs: hidden),
                attentionLayerNorm: try layerNorm(layer.attentionLayerNormWeight, layer.attentionLayerNormBias),
                intermediate: try linear(layer.intermediateWeight, layer.intermediateBias, outputs: intermediate, inputs: hidden),
                output: try linear(layer.outputWeight, layer.outputBias, outputs: hidden, inputs: intermediate),
                outputLayerNorm: try layerNorm(layer.outputLayerNormWeight, layer.outputLayerNormBias)))
        }
        self.layers = layers
    }
}

/// Fetches tensors and refuses any whose shape is not the expected one, so
/// a config.json that does not match the weights fails at load time.
private struct ShapeCheckedLoader {
    let file: SafeTensorsFile

    func tensor(_ name: String, shape expected: [Int]) throws(EmbeddingsError) -> FloatTensor {
        guard let entry = file.entries[name] else {
            throw .missingTensor(path: file.path, tensor: name)
        }
        guard entry.shape == expected else {
            throw .shapeMismatch(tensor: name, expected: expected, actual: entry.shape)
        }
        return try file.floatTensor(named: name)
    }
}
