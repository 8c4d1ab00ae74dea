import Embeddings
import Foundation
import Testing

/// Sanity of meaning, with the published sentence-transformers numbers the
/// fixture README cross-checks.
@Suite struct ParaphraseTests {
    @Test func paraphraseIsCloserThanUnrelatedSentence() throws {
        let embedder = try TestSupport.embedder()
        let vectors = try embedder.embed([
            "A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby.",
        ])
        let paraphrase = TestSupport.cosine(vectors[0], vectors[1])
        let unrelated = TestSupport.cosine(vectors[0], vectors[2])
        #expect(paraphrase > unrelated)
        #expect(abs(paraphrase - 0.7553) < 0.001)
        #expect(abs(unrelated - -0.105) < 0.001)
    }

    @Test func weatherSunnyStadiumMatchPublishedSimilarities() throws {
        let embedder = try TestSupport.embedder()
        let vectors = try embedder.embed([
            "The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium.",
        ])
        let weatherSunny = TestSupport.cosine(vectors[0], vectors[1])
        let weatherStadium = TestSupport.cosine(vectors[0], vectors[2])
        let sunnyStadium = TestSupport.cosine(vectors[1], vectors[2])
        #expect(abs(weatherSunny - 0.6660) < 0.001, "weather~sunny \(weatherSunny)")
        #expect(abs(weatherStadium - 0.1046) < 0.001, "weather~stadium \(weatherStadium)")
        #expect(abs(sunnyStadium - 0.1411) < 0.001, "sunny~stadium \(sunnyStadium)")
    }
}
