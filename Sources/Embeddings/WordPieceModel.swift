/// The `WordPiece` model stage: each word becomes the longest vocabulary
/// pieces that cover it, left to right, continuations marked "##"; a word
/// with any uncoverable part, or longer than the limit, becomes [UNK].
struct WordPieceModel: Sendable {
    let vocabulary: WordPieceVocabulary
    let unknownTokenID: Int32
    /// Counted in Unicode scalars (Rust `char`s), as `tokenizers` does.
    let maximumCharactersPerWord: Int

    func appendTokenIDs(of word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32]) {
        guard word.count <= maximumCharactersPerWord else {
            ids.append(unknownTokenID)
            return
        }
        // UTF-8 of the word plus the byte offset where each scalar ends, so
        // pieces are cut on scalar boundaries only.
        var bytes: [UInt8] = []
        var scalarEnds: [Int] = []
        bytes.reserveCapacity(word.count * 2)
        scalarEnds.reserveCapacity(word.count)
        for scalar in word {
            UTF8.encode(scalar) { bytes.append($0) }
            scalarEnds.append(bytes.count)
        }

        let firstNewID = ids.count
        var start = 0
        var startScalar = 0
        while start < bytes.count {
            var matched: Int32?
            var endScalar = scalarEnds.count - 1
            // Shrink from the right one scalar at a time: greedy
            // longest-match-first.
            while endScalar >= startScalar {
                let piece = Array(bytes[start..<scalarEnds[endScalar]])
                matched = start == 0 ? vocabulary.id(ofToken: piece) : vocabulary.id(ofContinuation: piece)
                if matched != nil { break }
                endScalar -= 1
            }
            guard let id = matched else {
                ids.removeSubrange(firstNewID...)
                ids.append(unknownTokenID)
                return
            }
            ids.append(id)
            start = scalarEnds[endScalar]
            startScalar = endScalar + 1
        }
    }
}
