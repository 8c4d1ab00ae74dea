import Embeddings
import Foundation
import Testing

/// all-MiniLM-L6-v2 against the reference outputs in
/// Fixtures/minilm-reference.jsonl (token ids from `tokenizers`, embeddings
/// from an independent float64 implementation).
@Suite struct ReferenceEmbeddingTests {
    @Test func fixtureHasTwentyFourLines() throws {
        let lines = try TestSupport.referenceLines()
        #expect(lines.count == 24)
        #expect(lines.allSatisfy { $0.embedding.count == 384 })
    }

    @Test func tokenIDsMatchExactly() throws {
        let embedder = try TestSupport.embedder()
        for line in try TestSupport.referenceLines() {
            let ids = embedder.tokenize(line.text)
            #expect(ids == line.token_ids, "token ids differ for \(line.text.debugDescription)")
        }
    }

    @Test func eachSentenceAloneMatchesReference() throws {
        let embedder = try TestSupport.embedder()
        var worst = 1.0
        var largestDifference: Float = 0
        for line in try TestSupport.referenceLines() {
            let vector = try embedder.embed(line.text)
            #expect(vector.count == 384)
            let cosine = TestSupport.cosine(vector, line.embedding)
            worst = min(worst, cosine)
            #expect(cosine >= 0.9999, "cosine \(cosine) for \(line.text.debugDescription)")
            // The fixture's note: float32 should agree to about 1e-5 per
            // component. The cosine bound alone would not notice the tanh
            // approximation of GELU (cosine 0.999998); this does.
            let difference = zip(vector, line.embedding).map { abs($0 - $1) }.max() ?? .infinity
            largestDifference = max(largestDifference, difference)
            #expect(difference < 1e-5, "component differs by \(difference) for \(line.text.debugDescription)")
        }
        print("ReferenceEmbeddingTests: one at a time, worst cosine \(worst), largest component difference \(largestDifference)")
    }

    @Test(arguments: [24, 5])
    func batchedCallMatchesReference(batchSize: Int) throws {
        let embedder = try TestSupport.embedder()
        let lines = try TestSupport.referenceLines()
        let vectors = try embedder.embed(lines.map(\.text), batchSize: batchSize)
        #expect(vectors.count == lines.count)
        var worst = 1.0
        for (vector, line) in zip(vectors, lines) {
            let cosine = TestSupport.cosine(vector, line.embedding)
            worst = min(worst, cosine)
            #expect(cosine >= 0.9999, "cosine \(cosine) for \(line.text.debugDescription) in a batch of \(batchSize)")
            let difference = zip(vector, line.embedding).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference < 1e-5, "component differs by \(difference) for \(line.text.debugDescription) in a batch of \(batchSize)")
        }
        print("ReferenceEmbeddingTests: worst cosine, batches of \(batchSize): \(worst)")
    }

    @Test func vectorsAreUnitLength() throws {
        let embedder = try TestSupport.embedder()
        let vector = try embedder.embed("A man is eating food.")
        let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
    }

    @Test func modelInfoDescribesMiniLM() throws {
        let embedder = try TestSupport.embedder()
        #expect(embedder.dimension == 384)
        #expect(embedder.maxSequenceLength == 256)
        #expect(embedder.info.architecture == "BertModel")
        #expect(embedder.info.layerCount == 6)
        #expect(embedder.info.attentionHeadCount == 12)
        #expect(embedder.info.pooling == .mean)
        #expect(embedder.info.normalizes)
    }

    @Test func emptyInputListGivesNoVectors() throws {
        #expect(try TestSupport.embedder().embed([String]()).isEmpty)
    }

    @Test func nonPositiveBatchSizeIsRejected() throws {
        let embedder = try TestSupport.embedder()
        #expect(throws: EmbeddingsError.self) { try embedder.embed(["a"], batchSize: 0) }
    }

    @Test func encoderFLOPsCountsEveryProduct() throws {
        let embedder = try TestSupport.embedder()
        // One 10-token sequence through 6 layers of hidden 384, FFN 1536:
        // 4 projections + 2 FFN products + scores and context (2·L²·hidden each).
        let perLayer = 4.0 * 2 * 10 * 384 * 384 + 2.0 * 2 * 10 * 384 * 1536 + 2.0 * 2 * 10 * 10 * 384
        #expect(embedder.encoderFLOPs(tokenCounts: [10]) == 6 * perLayer)
        #expect(embedder.encoderFLOPs(tokenCounts: [10, 10]) == 12 * perLayer)
    }
}
