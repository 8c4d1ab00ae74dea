/// The `BertPreTokenizer` stage: split on whitespace (dropped) and on
/// punctuation (each punctuation character becomes a word of its own).
struct BertPreTokenizer: Sendable {
    func words(in scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var wordStart = scalars.startIndex
        for index in scalars.indices {
            let scalar = scalars[index]
            if scalar.isBertWhitespace {
                if wordStart < index { words.append(scalars[wordStart..<index]) }
                wordStart = index + 1
            } else if scalar.isBertPunctuation {
                if wordStart < index { words.append(scalars[wordStart..<index]) }
                words.append(scalars[index...index])
                wordStart = index + 1
            }
        }
        if wordStart < scalars.endIndex { words.append(scalars[wordStart...]) }
        return words
    }
}
