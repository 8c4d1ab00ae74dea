/// The text analysis behind server-side BM25 (Qdrant's `qdrant/bm25` model),
/// with the output of `bm25s.tokenize(texts, lower=True, stopwords="en",
/// stemmer=Stemmer.Stemmer("english"))`: lower-case as Python's `str.lower()`
/// does, split into runs of two or more word characters (bm25s's default
/// pattern `(?u)\b\w\w+\b` under Python's `re` rules), drop stop words, stem.
///
/// The order matters and is bm25s's: stop words are matched against the
/// lower-cased tokens before stemming, so "ins" survives (and stems to "in"),
/// while "was" is dropped even though its stem would not be a stop word.
public struct BM25Tokenizer: Sendable {
    /// The language settings a Qdrant BM25 model can name.
    public enum Language: String, CaseIterable, Sendable {
        /// Snowball English stemming and bm25s's English stop words.
        case english
        /// Lower-casing and splitting only: no stemming, no stop words.
        case noLanguage = "none"
    }

    public let language: Language
    /// Whether stop words stay in the output (they are still stemmed).
    public let keepsStopWords: Bool
    private let stemmer = EnglishStemmer()

    public init(language: Language = .english, keepsStopWords: Bool = false) {
        self.language = language
        self.keepsStopWords = keepsStopWords
    }

    /// A tokenizer for a language given by name, as in a collection's BM25
    /// options: "english" (or "en") and "none", in any letter case.
    public init(language name: String, keepsStopWords: Bool = false) throws(EmbeddingsError) {
        switch name.lowercased() {
        case "english", "en": self.init(language: .english, keepsStopWords: keepsStopWords)
        case "none": self.init(language: .noLanguage, keepsStopWords: keepsStopWords)
        default:
            let supported = Language.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw .invalidArgument(reason: "BM25 language \"\(name)\" is not supported; the supported languages are \(supported) (no stemming, no stop words)")
        }
    }

    public func tokens(_ text: String) -> [String] {
        let dropsStopWords = language == .english && !keepsStopWords
        var tokens: [String] = []
        for word in Self.words(in: Self.pythonLowercased(text)) {
            if dropsStopWords && EnglishStopWords.words.contains(word) { continue }
            tokens.append(language == .english ? stemmer.stem(word) : word)
        }
        return tokens
    }

    /// The matches of `\b\w\w+\b`: since `\w\w+` is greedy and must end at a
    /// word boundary, they are exactly the maximal runs of word characters
    /// that are at least two characters (Unicode scalars) long.
    static func words(in scalars: [Unicode.Scalar]) -> [String] {
        var words: [String] = []
        var runStart = 0
        for index in 0...scalars.count {
            if index < scalars.count && scalars[index].isPythonWordCharacter { continue }
            if index - runStart >= 2 {
                words.append(String(String.UnicodeScalarView(scalars[runStart..<index])))
            }
            runStart = index + 1
        }
        return words
    }

    /// Python's `str.lower()`: each character's full lower-case mapping
    /// (İ becomes i and a combining dot, so "İstanbul" splits) and the one
    /// context-dependent rule Python applies, the final sigma: Σ ending a
    /// word becomes ς, elsewhere σ. Swift's `lowercased()` knows no final
    /// sigma, and ΛΟΓΟΣ must give the same term as λόγος typed in lower case.
    static func pythonLowercased(_ text: String) -> [Unicode.Scalar] {
        let scalars = Array(text.unicodeScalars)
        var lowered: [Unicode.Scalar] = []
        lowered.reserveCapacity(scalars.count)
        for index in scalars.indices {
            let scalar = scalars[index]
            if scalar.isASCII {
                let value = scalar.value
                lowered.append((0x41...0x5A).contains(value) ? Unicode.Scalar(UInt8(value + 0x20)) : scalar)
            } else if scalar == "\u{3A3}" {
                lowered.append(isFinalSigma(at: index, in: scalars) ? "\u{3C2}" : "\u{3C3}")
            } else if scalar.properties.changesWhenLowercased {
                lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                lowered.append(scalar)
            }
        }
        return lowered
    }

    /// CPython's Final_Sigma test: a cased letter before the sigma and none
    /// after it, looking past case-ignorable characters (apostrophes,
    /// combining marks) on both sides.
    private static func isFinalSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let before = scalars[..<index].last { !$0.properties.isCaseIgnorable }
        guard let before, before.properties.isCased else { return false }
        let after = scalars[(index + 1)...].first { !$0.properties.isCaseIgnorable }
        guard let after else { return true }
        return !after.properties.isCased
    }
}

extension Unicode.Scalar {
    /// Python's `\w` for str patterns: letters (Lu, Ll, Lt, Lm, Lo), anything
    /// with a numeric value (digits, but also ², ½, Ⅻ, ①) and the underscore.
    /// Combining marks are not word characters, so a decomposed "é" or a
    /// Devanagari vowel sign ends a word, as it does in Python.
    fileprivate var isPythonWordCharacter: Bool {
        if isASCII {
            switch value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return true
            default: return false
            }
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return properties.numericType != nil
        }
    }
}
