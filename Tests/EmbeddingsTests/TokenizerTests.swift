import Embeddings
import Foundation
import Testing

/// WordPiece tokenization of all-MiniLM-L6-v2's vocabulary. Expected ids were
/// produced by Hugging Face `tokenizers` 0.23.3 from the model's
/// tokenizer.json (truncation and padding off).
@Suite struct TokenizerTests {
    private func tokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(modelDirectory: try TestSupport.requireModelDirectory())
    }

    @Test func accentsAreStrippedAndCaseFolded() throws {
        let tokenizer = try tokenizer()
        // cafe naive zurich ang ##strom
        #expect(tokenizer.tokenize("Café naïve Zürich ÅNGSTRÖM") == [101, 7668, 15743, 10204, 17076, 15687, 102])
        #expect(tokenizer.tokenize("CAFÉ") == tokenizer.tokenize("cafe"))
        // The decomposed spelling (e + U+0301) is the same word.
        #expect(tokenizer.tokenize("cafe\u{301}") == tokenizer.tokenize("café"))
    }

    @Test func cjkIdeographsBecomeSeparateWords() throws {
        // 中 国 人 abc 日 本: ideographs split even with no spaces around them.
        #expect(try tokenizer().tokenize("中国人abc日本") == [101, 1746, 1799, 1756, 5925, 1864, 1876, 102])
    }

    @Test func punctuationIncludingASCIISymbolsIsIsolated() throws {
        // $, +, =, ^, | and ~ are Unicode symbols but BERT punctuation.
        #expect(try tokenizer().tokenize("hello,world!!(x)$5+3=8 a^b|c~d") == [
            101, 7592, 1010, 2088, 999, 999, 1006, 1060, 1007, 1002, 1019, 1009, 1017, 1027, 1022,
            1037, 1034, 1038, 1064, 1039, 1066, 1040, 102,
        ])
    }

    @Test func wordsLongerThanOneHundredCharactersAreUnknown() throws {
        let tokenizer = try tokenizer()
        #expect(tokenizer.tokenize(String(repeating: "a", count: 101)) == [101, 100, 102])
        // Exactly 100 is still split into pieces: aaa, 48 × ##aa, ##a.
        let hundred = tokenizer.tokenize(String(repeating: "a", count: 100))
        #expect(hundred == [101, 13360] + Array(repeating: 11057, count: 48) + [2050, 102])
        // The limit counts Unicode scalars, not bytes: 60 two-byte letters are fine.
        #expect(tokenizer.tokenize(String(repeating: "я", count: 60)) == [101, 1210] + Array(repeating: 17432, count: 59) + [102])
        #expect(tokenizer.tokenize(String(repeating: "я", count: 101)) == [101, 100, 102])
    }

    @Test func controlAndFormatCharactersAreDropped() throws {
        // NUL, U+FFFD, BEL and the zero-width space (Cf) vanish, joining their
        // neighbours; tab, no-break space and line separator split words.
        let text = "x\u{0}y\u{FFFD}z\u{7}w\u{200B}q\tr\u{A0}s\u{2028}t"
        #expect(try tokenizer().tokenize(text) == [101, 1060, 2100, 2480, 2860, 4160, 1054, 1055, 1056, 102])
    }

    @Test func wordPiecesUseLongestMatchFirst() throws {
        // una ##ffa ##ble
        #expect(try tokenizer().tokenize("unaffable") == [101, 14477, 20961, 3468, 102])
    }

    @Test func lowercasingIsPerCharacterWithoutFinalSigma() throws {
        // σ σ ##α ##σ istanbul: no final-sigma rule, İ loses its dot.
        #expect(try tokenizer().tokenize("Σ ΣΑΣ İstanbul") == [101, 1173, 1173, 14608, 29733, 9960, 102])
    }

    @Test func surroundingWhitespaceAndEmptyInput() throws {
        let tokenizer = try tokenizer()
        #expect(tokenizer.tokenize("") == [101, 102])
        #expect(tokenizer.tokenize(" \t\n ") == [101, 102])
        #expect(tokenizer.tokenize("  Hello \n") == tokenizer.tokenize("Hello"))
    }

    @Test func longInputIsTruncatedKeepingClassifierAndSeparator() throws {
        let tokenizer = try tokenizer()
        #expect(tokenizer.maxSequenceLength == 256)
        let ids = tokenizer.tokenize(String(repeating: "word ", count: 400))
        #expect(ids.count == 256)
        #expect(ids.first == 101)
        #expect(ids.last == 102)
        #expect(tokenizer.wordPieceIDs(String(repeating: "word ", count: 400)).count == 400)
    }

    @Test func vocabularyFromTokenizerJSONWhenVocabTextIsMissing() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["vocab.txt"])

        let fromJSON = try WordPieceTokenizer(modelDirectory: directory)
        let fromText = try tokenizer()
        #expect(fromJSON.vocabularySize == fromText.vocabularySize)
        for line in try TestSupport.referenceLines() {
            #expect(fromJSON.tokenize(line.text) == line.token_ids, "\(line.text.debugDescription)")
        }
    }

    @Test func bareVocabularyFileTokenizer() throws {
        let vocabulary = try TestSupport.requireModelDirectory().appendingPathComponent("vocab.txt")
        let tokenizer = try WordPieceTokenizer(vocabularyFile: vocabulary, maxSequenceLength: 5)
        // [CLS] cafe naive zurich [SEP]: truncated to five tokens.
        #expect(tokenizer.tokenize("Café naïve Zürich ÅNGSTRÖM") == [101, 7668, 15743, 10204, 102])

        let cased = try WordPieceTokenizer(vocabularyFile: vocabulary, lowercases: false)
        // Without lower-casing "Hello" is not in the uncased vocabulary as a
        // whole word, so it cannot equal the lower-case tokenisation.
        #expect(cased.tokenize("Hello") != tokenizer.tokenize("hello"))
    }
}
