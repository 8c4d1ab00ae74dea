/// The Snowball English stemmer ("Porter2"), release 3.1, as the Snowball
/// project describes it at snowballstem.org/algorithms/english/stemmer.html.
///
/// BM25 term ids are hashes of stems, so a stem that differs from the one
/// PyStemmer (bm25s) or a fastembed client computes is a term that never
/// matches. That is why this follows Snowball's own script step for step,
/// down to the quirks: the longest suffix of a step is chosen before its
/// region test, and a test that fails does not fall back to a shorter suffix;
/// R1 and R2 stay where they were marked even after the word shrinks.
///
/// The input is expected in lower case. Letters outside a–z are consonants
/// for the algorithm, so accented, non-Latin, digit and underscore tokens go
/// through it the way they go through Snowball's UTF-8 stemmer.
public struct EnglishStemmer: Sendable {
    public init() {}

    public func stem(_ word: String) -> String {
        if let exceptional = Self.exceptionalWords[word] { return exceptional ?? word }
        var letters = Array(word.unicodeScalars)
        // Two letters or fewer: "as" and "is" keep their s.
        guard letters.count >= 3 else { return word }
        if letters[0] == "'" { letters.removeFirst() }
        var stemmed = StemmedWord(letters: letters)
        stemmed.removeApostropheSuffix()
        stemmed.stepOneA()
        stemmed.stepOneB()
        stemmed.stepOneC()
        stemmed.stepTwo()
        stemmed.stepThree()
        stemmed.stepFour()
        stemmed.stepFive()
        return stemmed.text
    }

    /// Whole words that skip the algorithm: nil keeps the word as it is.
    private static let exceptionalWords: [String: String?] = [
        "skis": "ski", "skies": "sky",
        // -ly words too short for the -ly rule to treat well.
        "idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli", "singly": "singl",
        // "sky" must not become "ski"; "news" is not the plural of "new",
        // nor "howe" a form of "how"; the rest end in s without being plurals.
        "sky": nil, "news": nil, "howe": nil, "atlas": nil, "cosmos": nil, "bias": nil, "andes": nil,
    ]
}

/// A word being stemmed, with its regions. Every change happens at the end of
/// the word, so `r1Start` and `r2Start` never need moving.
private struct StemmedWord {
    var letters: [Unicode.Scalar]
    /// Where R1 and R2 begin; `letters.count` at marking time when empty.
    let r1Start: Int
    let r2Start: Int
    /// Whether some y was turned into Y to make it a consonant.
    private var marksConsonantY = false

    /// Snowball's prelude and region marking: a y that acts as a consonant
    /// (first letter, or after a vowel) becomes Y, so that no rule takes it
    /// for a vowel, and R1 and R2 are found on the marked word.
    init(letters: [Unicode.Scalar]) {
        var marked = letters
        if marked.first == "y" {
            marked[0] = "Y"
            marksConsonantY = true
        }
        for index in marked.indices.dropFirst() where marked[index] == "y" && Self.isVowel(marked[index - 1]) {
            marked[index] = "Y"
            marksConsonantY = true
        }
        self.letters = marked
        let regionOneStart = Self.regionOneOverride(of: marked) ?? Self.regionStart(in: marked, from: 0)
        r1Start = regionOneStart ?? marked.count
        r2Start = regionOneStart.flatMap { Self.regionStart(in: marked, from: $0) } ?? marked.count
    }

    /// The word with its consonant Ys back in lower case.
    var text: String {
        var result = letters
        if marksConsonantY {
            for index in result.indices where result[index] == "Y" { result[index] = "y" }
        }
        return String(String.UnicodeScalarView(result))
    }

    // MARK: Regions

    /// Words that share these beginnings would otherwise be conflated
    /// (generate/general/generous, organ/organic/organize, …): R1 starts
    /// right after the prefix instead.
    private static let regionOnePrefixes = ["gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter"]

    private static func regionOneOverride(of letters: [Unicode.Scalar]) -> Int? {
        regionOnePrefixes.first { letters.starts(with: $0.unicodeScalars) }?.unicodeScalars.count
    }

    /// Just past the first non-vowel that follows a vowel at or after `start`.
    private static func regionStart(in letters: [Unicode.Scalar], from start: Int) -> Int? {
        guard start < letters.count,
              let vowel = letters[start...].firstIndex(where: isVowel),
              let consonant = letters[(vowel + 1)...].firstIndex(where: { !isVowel($0) })
        else { return nil }
        return consonant + 1
    }

    // MARK: Letter classes

    /// Only a lower-case y is a vowel; the marked Y is a consonant.
    static func isVowel(_ letter: Unicode.Scalar) -> Bool {
        switch letter {
        case "a", "e", "i", "o", "u", "y": return true
        default: return false
        }
    }

    private static func isDouble(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Bool {
        guard first == second else { return false }
        switch first {
        case "b", "d", "f", "g", "m", "n", "p", "r", "t": return true
        default: return false
        }
    }

    private static func isValidLIEnding(_ letter: Unicode.Scalar) -> Bool {
        switch letter {
        case "c", "d", "e", "g", "h", "k", "m", "n", "r", "t": return true
        default: return false
        }
    }

    /// Whether `letters[..<end]` ends in a short syllable: consonant, vowel,
    /// consonant other than w, x or Y; or vowel, consonant as the whole word;
    /// or "past", so that pasted/pasting get their e back.
    private func endsInShortSyllable(before end: Int) -> Bool {
        if end >= 3, !Self.isVowel(letters[end - 3]), Self.isVowel(letters[end - 2]) {
            let last = letters[end - 1]
            if !Self.isVowel(last) && last != "w" && last != "x" && last != "Y" { return true }
        }
        if end == 2, Self.isVowel(letters[0]), !Self.isVowel(letters[1]) { return true }
        return ends(with: "past", before: end)
    }

    // MARK: Suffixes

    /// Suffixes are ASCII, so their UTF-8 bytes are their letters.
    private func ends(with suffix: String, before end: Int) -> Bool {
        let suffixBytes = suffix.utf8
        guard end >= suffixBytes.count else { return false }
        var index = end - suffixBytes.count
        for byte in suffixBytes {
            guard letters[index].value == UInt32(byte) else { return false }
            index += 1
        }
        return true
    }

    private func ends(with suffix: String) -> Bool { ends(with: suffix, before: letters.count) }

    /// The longest of `suffixes` that ends the word; Snowball's `among`.
    private func longestSuffix(among suffixes: [String]) -> String? {
        var longest: String?
        var longestLength = 0
        for suffix in suffixes where suffix.utf8.count > longestLength && ends(with: suffix) {
            longest = suffix
            longestLength = suffix.utf8.count
        }
        return longest
    }

    private func start(of suffix: String) -> Int { letters.count - suffix.utf8.count }

    private mutating func replace(_ suffix: String, with replacement: String) {
        letters.removeLast(suffix.utf8.count)
        letters.append(contentsOf: replacement.unicodeScalars)
    }

    private func containsVowel(before end: Int) -> Bool { letters[..<end].contains(where: Self.isVowel) }

    // MARK: Steps

    /// Step 0: the possessive 's, s' and a bare trailing apostrophe.
    mutating func removeApostropheSuffix() {
        if let suffix = longestSuffix(among: ["'s'", "'s", "'"]) { replace(suffix, with: "") }
    }

    /// Plural s: "ies" keeps its e only after a single letter (ties → tie,
    /// cries → cri); a lone s goes only when a vowel comes before the letter
    /// preceding it (gaps → gap, but gas and this stay).
    mutating func stepOneA() {
        guard let suffix = longestSuffix(among: ["sses", "ied", "ies", "us", "ss", "s"]) else { return }
        switch suffix {
        case "sses": replace(suffix, with: "ss")
        case "ied", "ies": replace(suffix, with: start(of: suffix) > 1 ? "i" : "ie")
        case "s": if start(of: suffix) >= 1 && containsVowel(before: start(of: suffix) - 1) { replace(suffix, with: "") }
        default: break
        }
    }

    /// Past tense, gerund and their -ly adverbs. proceed/exceed/succeed keep
    /// their -eed; dying → die; inning, outing, herring … keep their -ing.
    mutating func stepOneB() {
        guard let suffix = longestSuffix(among: ["eed", "eedly", "ed", "edly", "ing", "ingly"]) else { return }
        let stemEnd = start(of: suffix)
        switch suffix {
        case "eed", "eedly":
            guard stemEnd >= r1Start else { return }
            let stem = String(String.UnicodeScalarView(letters[..<stemEnd]))
            if stem != "proc" && stem != "exc" && stem != "succ" { replace(suffix, with: "ee") }
            return
        case "ing":
            if stemEnd >= 1 && letters[stemEnd - 1] == "y" {
                if stemEnd == 2 && !Self.isVowel(letters[0]) {
                    letters.removeLast(4)
                    letters.append(contentsOf: "ie".unicodeScalars)
                    return
                }
            } else if Self.keptIngStems.contains(String(String.UnicodeScalarView(letters[..<stemEnd]))) {
                return
            }
        default:
            break
        }
        guard containsVowel(before: stemEnd) else { return }
        replace(suffix, with: "")
        if ends(with: "at") || ends(with: "bl") || ends(with: "iz") {
            letters.append("e")
        } else if letters.count >= 2, Self.isDouble(letters[letters.count - 2], letters[letters.count - 1]) {
            // add, egg and off keep their double letter.
            let isAEODouble = letters.count == 3 && ["a", "e", "o"].contains(letters[0])
            if !isAEODouble { letters.removeLast() }
        } else if letters.count == r1Start && endsInShortSyllable(before: letters.count) {
            // A short word: hop(ing) → hope.
            letters.append("e")
        }
    }

    private static let keptIngStems: Set<String> = ["inn", "out", "cann", "herr", "earr", "even"]

    /// Final y becomes i after a consonant that is not the first letter
    /// (cry → cri, but by and say stay).
    mutating func stepOneC() {
        let count = letters.count
        guard count >= 3, letters[count - 1] == "y" || letters[count - 1] == "Y",
              !Self.isVowel(letters[count - 2])
        else { return }
        letters[count - 1] = "i"
    }

    private static let stepTwoReplacements: [String: String] = [
        "tional": "tion", "enci": "ence", "anci": "ance", "abli": "able", "entli": "ent",
        "izer": "ize", "ization": "ize", "ational": "ate", "ation": "ate", "ator": "ate",
        "alism": "al", "aliti": "al", "alli": "al", "fulness": "ful", "ousli": "ous", "ousness": "ous",
        "iveness": "ive", "iviti": "ive", "biliti": "ble", "bli": "ble", "ogist": "og", "ogi": "og",
        "fulli": "ful", "lessli": "less", "li": "",
    ]
    private static let stepTwoSuffixes = Array(stepTwoReplacements.keys)

    /// Derivational suffixes in R1, mapped to a shorter suffix.
    mutating func stepTwo() {
        guard let suffix = longestSuffix(among: Self.stepTwoSuffixes), start(of: suffix) >= r1Start else { return }
        let before = start(of: suffix) > 0 ? letters[start(of: suffix) - 1] : nil
        switch suffix {
        case "ogi": guard before == "l" else { return }
        case "li": guard let before, Self.isValidLIEnding(before) else { return }
        default: break
        }
        replace(suffix, with: Self.stepTwoReplacements[suffix]!)
    }

    private static let stepThreeReplacements: [String: String] = [
        "tional": "tion", "ational": "ate", "alize": "al", "icate": "ic", "iciti": "ic", "ical": "ic",
        "ful": "", "ness": "", "ative": "",
    ]
    private static let stepThreeSuffixes = Array(stepThreeReplacements.keys)

    /// More derivational suffixes in R1; -ative only in R2.
    mutating func stepThree() {
        guard let suffix = longestSuffix(among: Self.stepThreeSuffixes), start(of: suffix) >= r1Start else { return }
        if suffix == "ative" && start(of: suffix) < r2Start { return }
        replace(suffix, with: Self.stepThreeReplacements[suffix]!)
    }

    private static let stepFourSuffixes = [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate",
        "iti", "ous", "ive", "ize", "ion",
    ]

    /// Suffixes deleted outright in R2; -ion only after s or t.
    mutating func stepFour() {
        guard let suffix = longestSuffix(among: Self.stepFourSuffixes), start(of: suffix) >= r2Start else { return }
        if suffix == "ion" {
            let before = start(of: suffix) > 0 ? letters[start(of: suffix) - 1] : nil
            guard before == "s" || before == "t" else { return }
        }
        replace(suffix, with: "")
    }

    /// A final e in R2, or in R1 after something other than a short
    /// syllable; the second l of a final ll in R2.
    mutating func stepFive() {
        guard let last = letters.last else { return }
        let lastStart = letters.count - 1
        if last == "e" {
            if lastStart >= r2Start || (lastStart >= r1Start && !endsInShortSyllable(before: lastStart)) {
                letters.removeLast()
            }
        } else if last == "l" {
            if lastStart >= r2Start && lastStart >= 1 && letters[lastStart - 1] == "l" { letters.removeLast() }
        }
    }
}
