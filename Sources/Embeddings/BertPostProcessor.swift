/// The `TemplateProcessing` post-processor of a BERT tokenizer.json for a
/// single sequence, with truncation: `[CLS] tokens [SEP]`, the tokens cut so
/// the whole fits `maxSequenceLength`.
struct BertPostProcessor: Sendable {
    let classifierTokenID: Int32
    let separatorTokenID: Int32

    func process(_ tokenIDs: [Int32], maxSequenceLength: Int) -> [Int32] {
        precondition(maxSequenceLength >= 2, "no room for [CLS] and [SEP]")
        let kept = tokenIDs.prefix(maxSequenceLength - 2)
        var result: [Int32] = []
        result.reserveCapacity(kept.count + 2)
        result.append(classifierTokenID)
        result.append(contentsOf: kept)
        result.append(separatorTokenID)
        return result
    }
}
