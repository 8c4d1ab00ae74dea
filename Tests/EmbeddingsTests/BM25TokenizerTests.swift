import Embeddings
import Foundation
import Testing

/// The BM25 text analysis against the Python packages it must agree with.
/// Fixtures/bm25 was written by tools/make-stemmer-fixture with Python 3.11.7,
/// PyStemmer 3.1.0 (Snowball 3.1), bm25s 0.3.16 and mmh3 5.3.1.
@Suite struct BM25TokenizerTests {
    private static let fixtures = TestSupport.fixturesDirectory.appendingPathComponent("bm25")

    private static func fixtureLines(_ name: String) throws -> [Substring] {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
    }

    /// Tab-separated pairs; the empty string is a valid first field.
    private static func pairs(_ name: String) throws -> [(String, String)] {
        try fixtureLines(name).map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(fields[0]), String(fields[1]))
        }
    }

    @Test func stemmerAgreesWithPyStemmerOnEveryFixtureWord() throws {
        let stemmer = EnglishStemmer()
        let expected = try Self.pairs("stems.tsv")
        #expect(expected.count > 10_000)
        let disagreements = expected.filter { stemmer.stem($0.0) != $0.1 }
        let shown = disagreements.prefix(20).map { "\($0.0) → \(stemmer.stem($0.0)), expected \($0.1)" }
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(expected.count) disagree: \(shown)")
    }

    @Test func stemmerSpecialCases() {
        let stemmer = EnglishStemmer()
        let cases = [
            "skis": "ski", "skies": "sky", "dying": "die", "news": "news", "gently": "gentl",
            "generously": "generous", "communities": "communiti", "international": "internat",
            "herring": "herring", "evening": "evening", "proceed": "proceed", "agreed": "agre",
            "hopping": "hop", "hoped": "hope", "adding": "add", "pasted": "paste", "geologist": "geolog",
            "ties": "tie", "cries": "cri", "gas": "gas", "gaps": "gap", "saying": "say", "cry": "cri",
            "dog's": "dog", "'yes": "yes", "is": "is", "café": "café", "résumés": "résumé",
        ]
        for (word, stem) in cases {
            #expect(stemmer.stem(word) == stem, "\(word)")
        }
    }

    private struct TokenizedLine: Decodable {
        let text: String
        let tokens: [String]
    }

    @Test func tokenizerAgreesWithBM25sOnEveryFixtureSentence() throws {
        let tokenizer = BM25Tokenizer()
        let decoder = JSONDecoder()
        let lines = try Self.fixtureLines("tokens.jsonl").map {
            try decoder.decode(TokenizedLine.self, from: Data($0.utf8))
        }
        #expect(lines.count == 200)
        for line in lines {
            #expect(tokenizer.tokens(line.text) == line.tokens, "\(line.text.debugDescription)")
        }
    }

    @Test func tokensAreRunsOfAtLeastTwoPythonWordCharacters() {
        let tokenizer = BM25Tokenizer(language: .noLanguage)
        // Underscores and digits join words; single characters are dropped;
        // ², ½ and Ⅻ have numeric values, so they are word characters.
        #expect(tokenizer.tokens("snake_case x 42 a1 ²³ ½x ⅫI") == ["snake_case", "42", "a1", "²³", "½x", "ⅻi"])
        // A combining accent is not a word character: the decomposed é splits.
        #expect(tokenizer.tokens("cafe\u{301} café") == ["cafe", "café"])
        // CJK runs without spaces are one token each.
        #expect(tokenizer.tokens("東京都の天気、晴れ") == ["東京都の天気", "晴れ"])
    }

    @Test func lowercasingFollowsPythonIncludingFinalSigma() {
        let tokenizer = BM25Tokenizer(language: .noLanguage)
        #expect(tokenizer.tokens("ΛΟΓΟΣ ΟΔΟΣ ΣΑΣ") == ["λογος", "οδος", "σας"])
        // İ lower-cases to i plus a combining dot, which ends the word.
        #expect(tokenizer.tokens("İstanbul") == ["stanbul"])
        #expect(tokenizer.tokens("STRASSE Straße") == ["strasse", "straße"])
    }

    @Test func stopWordsAreRemovedBeforeStemming() {
        let tokenizer = BM25Tokenizer()
        // "ins" and "ons" are not stop words, though their stems are.
        #expect(tokenizer.tokens("ins ons was The THIS") == ["in", "on"])
        #expect(EnglishStopWords.words.count == 33)
    }

    @Test func stopWordsCanBeKept() {
        #expect(BM25Tokenizer(keepsStopWords: true).tokens("The cats are running") == ["the", "cat", "are", "run"])
    }

    @Test func languageNoneOnlyLowercasesAndSplits() throws {
        let tokenizer = try BM25Tokenizer(language: "none")
        #expect(tokenizer.language == .noLanguage)
        #expect(tokenizer.tokens("The Cats, the DOGS") == ["the", "cats", "the", "dogs"])
        #expect(try BM25Tokenizer(language: "English").language == .english)
    }

    @Test func unsupportedLanguageNamesTheSupportedOnes() {
        #expect {
            _ = try BM25Tokenizer(language: "french")
        } throws: { error in
            let message = (error as? EmbeddingsError)?.description ?? ""
            return message.contains("\"french\"") && message.contains("\"english\"") && message.contains("\"none\"")
        }
    }

    @Test func termIndexIsAbsoluteMurmurHash3LikeFastembed() throws {
        let expected = try Self.pairs("murmur3.tsv")
        #expect(expected.count == 300)
        for (token, index) in expected {
            #expect(String(BM25Encoder.termIndex(of: token)) == index, "\(token.debugDescription)")
        }
    }

    @Test func termFrequenciesCountStemsAndLength() {
        let encoder = BM25Encoder()
        let cat = BM25Encoder.termIndex(of: "cat")
        let dog = BM25Encoder.termIndex(of: "dog")
        let vector = BM25Encoder.termIndex(of: "vector")
        let document = encoder.termFrequencies("Cat cats and the dog; dogs? A dog! Vectors.")
        let expected = [(cat, Float(2)), (dog, 3), (vector, 1)].sorted { $0.0 < $1.0 }
        #expect(document.indices == expected.map(\.0))
        #expect(document.values == expected.map(\.1))
        // Stop words ("and", "the", "a") do not count towards the length.
        #expect(document.length == 6)

        let empty = encoder.termFrequencies("the a of, is")
        #expect(empty.indices.isEmpty && empty.values.isEmpty && empty.length == 0)
    }

    @Test func queryTermsWeighEachDistinctTermOnce() {
        let query = BM25Encoder().queryTerms("search searching searched vectors the")
        let expected = [BM25Encoder.termIndex(of: "search"), BM25Encoder.termIndex(of: "vector")].sorted()
        #expect(query.indices == expected)
        #expect(query.values == [1, 1])
    }
}
