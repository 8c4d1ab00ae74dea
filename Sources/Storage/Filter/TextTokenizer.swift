/// How a full-text index (and a full-text condition) splits strings into tokens, after Qdrant's
/// `word` and `whitespace` tokenizers: split, drop tokens outside the length limits (counted
/// in Unicode scalars, before lowercasing, as Qdrant counts chars), then lowercase.
public struct TextTokenizer: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Splits at every character that is neither a letter nor a number (Rust's
        /// `char::is_alphanumeric`, which Qdrant uses).
        case word
        /// Splits at Unicode white space only, so punctuation stays in tokens.
        case whitespace
    }

    public var kind: Kind
    public var lowercase: Bool
    public var minimumTokenLength: Int?
    public var maximumTokenLength: Int?

    /// Qdrant's defaults: word tokenizer, lowercased, no length limits. Full-text conditions on
    /// a field without a text index tokenize with these.
    public static let standard = TextTokenizer()

    public init(kind: Kind = .word, lowercase: Bool = true, minimumTokenLength: Int? = nil, maximumTokenLength: Int? = nil) {
        self.kind = kind
        self.lowercase = lowercase
        self.minimumTokenLength = minimumTokenLength
        self.maximumTokenLength = maximumTokenLength
    }

    private enum CodingKeys: String, CodingKey {
        case kind = "tokenizer"
        case lowercase
        case minimumTokenLength = "min_token_len"
        case maximumTokenLength = "max_token_len"
    }

    public func validate(field: String) throws {
        if let minimum = minimumTokenLength, minimum < 0 {
            throw StorageError.invalidSchema("text index on `\(field)`: `min_token_len` must not be negative")
        }
        if let maximum = maximumTokenLength, maximum < 1 {
            throw StorageError.invalidSchema("text index on `\(field)`: `max_token_len` must be at least 1, or no token would be kept")
        }
        if let minimum = minimumTokenLength, let maximum = maximumTokenLength, minimum > maximum {
            throw StorageError.invalidSchema("text index on `\(field)`: `min_token_len` \(minimum) is above `max_token_len` \(maximum)")
        }
    }

    /// The tokens of `text` in order, repeats included (phrase matching needs both).
    public func tokens(of text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        func finishToken() {
            guard !current.isEmpty else { return }
            let length = current.count
            defer { current = String.UnicodeScalarView() }
            if let minimum = minimumTokenLength, length < minimum { return }
            if let maximum = maximumTokenLength, length > maximum { return }
            let token = String(current)
            tokens.append(lowercase ? token.lowercased() : token)
        }
        for scalar in text.unicodeScalars {
            if isSeparator(scalar) {
                finishToken()
            } else {
                current.append(scalar)
            }
        }
        finishToken()
        return tokens
    }

    private func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch kind {
        case .whitespace:
            return scalar.properties.isWhitespace
        case .word:
            if scalar.properties.isAlphabetic { return false }
            switch scalar.properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber: return false
            default: return true
            }
        }
    }
}
