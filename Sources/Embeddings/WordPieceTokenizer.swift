import Foundation

/// BERT WordPiece tokenization with the behaviour of Hugging Face's
/// `BertTokenizerFast` as sentence-transformers drives it: strip the input,
/// normalise, split into words, cut words into vocabulary pieces, then wrap
/// in [CLS] … [SEP] truncated to the model's maximum sequence length.
///
/// Each stage of tokenizer.json is a small type of its own
/// (`BertNormalizer`, `BertPreTokenizer`, `WordPieceModel`,
/// `BertPostProcessor`); this type only strings them together.
public struct WordPieceTokenizer: Sendable {
    /// Tokens per sequence, [CLS] and [SEP] included.
    public let maxSequenceLength: Int
    /// One more than the largest token id.
    public var vocabularySize: Int { model.vocabulary.count }
    public let classifierTokenID: Int32
    public let separatorTokenID: Int32
    public let unknownTokenID: Int32

    private let lowercasesInput: Bool
    private let normalizer: BertNormalizer
    private let preTokenizer = BertPreTokenizer()
    private let model: WordPieceModel
    private let postProcessor: BertPostProcessor

    /// The tokenizer of a sentence-transformers (or plain Hugging Face BERT)
    /// model directory: vocab.txt or tokenizer.json, tokenizer_config.json,
    /// and the sequence length from sentence_bert_config.json capped by
    /// config.json's max_position_embeddings.
    public init(modelDirectory: URL) throws {
        let configurationURL = modelDirectory.appendingPathComponent("config.json")
        var maxPositionEmbeddings = 512
        if FileManager.default.fileExists(atPath: configurationURL.path) {
            maxPositionEmbeddings = try BertConfiguration.load(from: configurationURL).maxPositionEmbeddings
        }
        let sentenceConfiguration = try SentenceTransformerConfiguration.load(
            from: modelDirectory, maxPositionEmbeddings: maxPositionEmbeddings)
        try self.init(modelDirectory: modelDirectory, sentenceConfiguration: sentenceConfiguration)
    }

    /// A tokenizer from a bare vocab.txt.
    ///
    /// - Parameters:
    ///   - lowercases: whether the model is uncased.
    ///   - stripsAccents: nil follows `lowercases`, as in BERT.
    public init(
        vocabularyFile: URL, lowercases: Bool = true, stripsAccents: Bool? = nil, maxSequenceLength: Int = 512
    ) throws {
        guard maxSequenceLength >= 2 else {
            throw EmbeddingsError.invalidArgument(reason: "maxSequenceLength must be at least 2, got \(maxSequenceLength)")
        }
        let vocabulary = try WordPieceVocabulary.load(vocabularyText: vocabularyFile)
        var settings = TokenizerSettings()
        settings.lowercases = lowercases
        settings.stripsAccents = stripsAccents
        try self.init(vocabulary: vocabulary, settings: settings, maxSequenceLength: maxSequenceLength,
                      lowercasesInput: false, maximumCharactersPerWord: 100)
    }

    init(modelDirectory: URL, sentenceConfiguration: SentenceTransformerConfiguration) throws(EmbeddingsError) {
        let fileManager = FileManager.default
        let vocabularyURL = modelDirectory.appendingPathComponent("vocab.txt")
        let tokenizerJSONURL = modelDirectory.appendingPathComponent("tokenizer.json")
        let hasTokenizerJSON = fileManager.fileExists(atPath: tokenizerJSONURL.path)
        let tokenizerJSONModel = hasTokenizerJSON ? try TokenizerJSONModel.load(from: tokenizerJSONURL) : nil

        var vocabulary: WordPieceVocabulary?
        if fileManager.fileExists(atPath: vocabularyURL.path) {
            vocabulary = try WordPieceVocabulary.load(vocabularyText: vocabularyURL)
        } else if hasTokenizerJSON {
            vocabulary = try WordPieceVocabulary.load(tokenizerJSON: tokenizerJSONURL)
        }
        guard let vocabulary else {
            throw .missingVocabulary(directory: modelDirectory.path)
        }
        var settings = try TokenizerSettings.load(from: modelDirectory.appendingPathComponent("tokenizer_config.json"))
        if let unknownToken = tokenizerJSONModel?.unknownToken, settings.unknownTokenFromConfiguration == nil {
            settings.unknownToken = unknownToken
        }
        try self.init(
            vocabulary: vocabulary, settings: settings,
            maxSequenceLength: sentenceConfiguration.maxSequenceLength,
            lowercasesInput: sentenceConfiguration.lowercasesInput,
            maximumCharactersPerWord: tokenizerJSONModel?.maximumCharactersPerWord ?? 100)
    }

    private init(
        vocabulary: WordPieceVocabulary, settings: TokenizerSettings, maxSequenceLength: Int,
        lowercasesInput: Bool, maximumCharactersPerWord: Int
    ) throws(EmbeddingsError) {
        func requiredID(_ token: String) throws(EmbeddingsError) -> Int32 {
            guard let id = vocabulary.id(of: token) else { throw .missingSpecialToken(token: token) }
            return id
        }
        unknownTokenID = try requiredID(settings.unknownToken)
        classifierTokenID = try requiredID(settings.classifierToken)
        separatorTokenID = try requiredID(settings.separatorToken)
        self.maxSequenceLength = maxSequenceLength
        self.lowercasesInput = lowercasesInput
        normalizer = BertNormalizer(
            cleansText: true,
            isolatesCJKIdeographs: settings.isolatesCJKIdeographs,
            stripsAccents: settings.stripsAccents ?? settings.lowercases,
            lowercases: settings.lowercases)
        model = WordPieceModel(
            vocabulary: vocabulary, unknownTokenID: unknownTokenID,
            maximumCharactersPerWord: maximumCharactersPerWord)
        postProcessor = BertPostProcessor(classifierTokenID: classifierTokenID, separatorTokenID: separatorTokenID)
    }

    /// Token ids of `text`: [CLS], the WordPiece ids, [SEP], truncated to
    /// `maxSequenceLength` with [CLS] and [SEP] kept.
    public func tokenize(_ text: String) -> [Int32] {
        postProcessor.process(wordPieceIDs(text), maxSequenceLength: maxSequenceLength)
    }

    /// The WordPiece ids of `text` alone: no special tokens, no truncation.
    public func wordPieceIDs(_ text: String) -> [Int32] {
        // sentence-transformers calls str.strip() before tokenising.
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, last.isPythonWhitespace { scalars.removeLast() }
        let leading = scalars.prefix { $0.isPythonWhitespace }.count
        scalars.removeFirst(leading)
        if lowercasesInput {
            scalars = Array(String(String.UnicodeScalarView(scalars)).lowercased().unicodeScalars)
        }
        let normalized = normalizer.normalize(scalars)
        var ids: [Int32] = []
        ids.reserveCapacity(normalized.count / 3 + 4)
        for word in preTokenizer.words(in: normalized) {
            model.appendTokenIDs(of: word, to: &ids)
        }
        return ids
    }
}

/// The settings of tokenizer_config.json that shape tokenization.
struct TokenizerSettings: Sendable {
    var lowercases = true
    /// nil: strip accents exactly when lower-casing (BERT's rule).
    var stripsAccents: Bool?
    var isolatesCJKIdeographs = true
    var unknownToken = "[UNK]"
    var unknownTokenFromConfiguration: String?
    var classifierToken = "[CLS]"
    var separatorToken = "[SEP]"

    private struct RawTokenizerConfiguration: Decodable {
        var do_lower_case: Bool?
        var strip_accents: Bool?
        var tokenize_chinese_chars: Bool?
        var unk_token: SpecialToken?
        var cls_token: SpecialToken?
        var sep_token: SpecialToken?
    }

    /// Newer transformers versions save a special token as an object
    /// (`{"content": "[UNK]", ...}`), older ones as a plain string.
    private struct SpecialToken: Decodable {
        var content: String

        private enum CodingKeys: String, CodingKey { case content }

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                content = text
            } else {
                content = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .content)
            }
        }
    }

    /// A missing file means the defaults of an uncased BERT.
    static func load(from url: URL) throws(EmbeddingsError) -> TokenizerSettings {
        var settings = TokenizerSettings()
        guard FileManager.default.fileExists(atPath: url.path) else { return settings }
        let raw = try JSONFile.decode(RawTokenizerConfiguration.self, from: url)
        settings.lowercases = raw.do_lower_case ?? true
        settings.stripsAccents = raw.strip_accents
        settings.isolatesCJKIdeographs = raw.tokenize_chinese_chars ?? true
        settings.unknownTokenFromConfiguration = raw.unk_token?.content
        settings.unknownToken = raw.unk_token?.content ?? settings.unknownToken
        settings.classifierToken = raw.cls_token?.content ?? settings.classifierToken
        settings.separatorToken = raw.sep_token?.content ?? settings.separatorToken
        return settings
    }
}
