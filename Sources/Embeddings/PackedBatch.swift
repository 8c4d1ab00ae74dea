/// Several tokenised sequences laid end to end, row after row, with no
/// padding between them.
///
/// Every step of the encoder except attention treats tokens independently,
/// so it runs over all tokens of the batch as one matrix; attention works on
/// each sequence's own rows. That is the same computation as padding every
/// sequence to the longest and masking the padding out of the softmax,
/// without the wasted rows: the mask is implicit in the row ranges.
struct PackedBatch: Sendable {
    private(set) var tokenIDs: [Int32] = []
    /// Row range of each sequence inside `tokenIDs`.
    private(set) var sequenceRanges: [Range<Int>] = []

    init<Sequences: Sequence>(_ sequences: Sequences) where Sequences.Element == [Int32] {
        for sequence in sequences {
            precondition(!sequence.isEmpty, "a tokenised sequence always has [CLS] and [SEP]")
            let start = tokenIDs.count
            tokenIDs.append(contentsOf: sequence)
            sequenceRanges.append(start..<tokenIDs.count)
        }
    }

    var tokenCount: Int { tokenIDs.count }
    var longestSequence: Int { sequenceRanges.map(\.count).max() ?? 0 }
}
