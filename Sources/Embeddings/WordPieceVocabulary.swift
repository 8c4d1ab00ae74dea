import Foundation

/// A WordPiece vocabulary: token string -> id.
///
/// Tokens are keyed by their UTF-8 bytes rather than by `String`, because
/// Swift compares strings by canonical equivalence and would treat "é" and
/// "e\u{301}" as one token where the reference tokenizer sees two.
/// Continuation pieces ("##ing") are also kept, without their prefix, in a
/// table of their own so that lookups need no string concatenation.
struct WordPieceVocabulary: Sendable {
    private(set) var idsByToken: [[UInt8]: Int32] = [:]
    private(set) var idsByContinuation: [[UInt8]: Int32] = [:]
    let continuationPrefix: [UInt8]
    let count: Int

    init<Tokens: Sequence>(tokens: Tokens, continuationPrefix: String = "##")
    where Tokens.Element == (bytes: [UInt8], id: Int32) {
        self.continuationPrefix = Array(continuationPrefix.utf8)
        var count = 0
        for (bytes, id) in tokens {
            // A later duplicate wins, as in the Python dict BERT builds.
            idsByToken[bytes] = id
            if !self.continuationPrefix.isEmpty, bytes.starts(with: self.continuationPrefix) {
                idsByContinuation[Array(bytes.dropFirst(self.continuationPrefix.count))] = id
            }
            count = max(count, Int(id) + 1)
        }
        self.count = count
    }

    func id(ofToken bytes: [UInt8]) -> Int32? { idsByToken[bytes] }
    func id(ofContinuation bytes: [UInt8]) -> Int32? { idsByContinuation[bytes] }
    func id(of token: String) -> Int32? { idsByToken[Array(token.utf8)] }

    /// vocab.txt: one token per line, the line number is the id.
    static func load(vocabularyText url: URL) throws(EmbeddingsError) -> WordPieceVocabulary {
        let data = try JSONFile.read(url)
        var tokens: [(bytes: [UInt8], id: Int32)] = []
        tokens.reserveCapacity(32_000)
        var lineStart = data.startIndex
        var nextID: Int32 = 0
        func appendLine(_ range: Range<Data.Index>) {
            var line = Array(data[range])
            // Python reads the file with universal newlines, so CRLF files
            // yield the same tokens.
            if line.last == 0x0D { line.removeLast() }
            tokens.append((line, nextID))
            nextID += 1
        }
        for index in data.indices where data[index] == 0x0A {
            appendLine(lineStart..<index)
            lineStart = index + 1
        }
        if lineStart < data.endIndex { appendLine(lineStart..<data.endIndex) }
        return WordPieceVocabulary(tokens: tokens)
    }

    /// The WordPiece model section of tokenizer.json, used when a model
    /// directory ships no vocab.txt.
    static func load(tokenizerJSON url: URL) throws(EmbeddingsError) -> WordPieceVocabulary? {
        guard let model = try TokenizerJSONModel.load(from: url), let vocabulary = model.vocabulary else {
            return nil
        }
        let tokens = vocabulary.map { (bytes: Array($0.key.utf8), id: $0.value) }
            .sorted { $0.id < $1.id }
        return WordPieceVocabulary(tokens: tokens, continuationPrefix: model.continuationPrefix)
    }
}

/// The parts of tokenizer.json's `model` object a WordPiece tokenizer uses.
struct TokenizerJSONModel: Sendable {
    var vocabulary: [String: Int32]?
    var unknownToken = "[UNK]"
    var continuationPrefix = "##"
    var maximumCharactersPerWord = 100

    /// nil when the file's model is not WordPiece.
    static func load(from url: URL) throws(EmbeddingsError) -> TokenizerJSONModel? {
        let data = try JSONFile.read(url)
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .invalidJSON(path: url.path, reason: error.localizedDescription)
        }
        guard let model = (root as? [String: Any])?["model"] as? [String: Any],
              model["type"] as? String == "WordPiece"
        else { return nil }
        var result = TokenizerJSONModel()
        if let vocabulary = model["vocab"] as? [String: Any] {
            var ids: [String: Int32] = [:]
            ids.reserveCapacity(vocabulary.count)
            for (token, value) in vocabulary {
                guard let number = value as? NSNumber else {
                    throw .invalidJSON(path: url.path, reason: "vocabulary entry \(token) has a non-numeric id")
                }
                ids[token] = number.int32Value
            }
            result.vocabulary = ids
        }
        if let token = model["unk_token"] as? String { result.unknownToken = token }
        if let prefix = model["continuing_subword_prefix"] as? String { result.continuationPrefix = prefix }
        if let limit = model["max_input_chars_per_word"] as? NSNumber { result.maximumCharactersPerWord = limit.intValue }
        return result
    }
}
