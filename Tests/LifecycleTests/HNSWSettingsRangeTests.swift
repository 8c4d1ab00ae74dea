import Storage
import Testing
import VectorIndex

/// The collection settings and the index accept exactly the same HNSW parameters, so a schema
/// that was stored can always build its graph (a stored `m` of 300 could never open).
@Suite struct HNSWSettingsRangeTests {
    static func edges(_ range: ClosedRange<Int>) -> [Int] {
        [range.lowerBound - 1, range.lowerBound, range.upperBound, range.upperBound + 1]
    }

    @Test("HNSWSettings' ranges are the ones HNSWParameters.validate accepts")
    func rangesAgree() {
        for m in Self.edges(HNSWSettings.mRange) {
            let accepted = (try? HNSWParameters(m: m).validate()) != nil
            #expect(accepted == HNSWSettings.mRange.contains(m), "m \(m)")
            #expect((HNSWSettings(m: m).problem() == nil) == accepted, "m \(m)")
        }
        for ef in Self.edges(HNSWSettings.efConstructionRange) {
            let accepted = (try? HNSWParameters(efConstruction: ef).validate()) != nil
            #expect(accepted == HNSWSettings.efConstructionRange.contains(ef), "ef_construct \(ef)")
            #expect((HNSWSettings(efConstruction: ef).problem() == nil) == accepted, "ef_construct \(ef)")
        }
        for ef in Self.edges(HNSWSettings.efRange) {
            let accepted = (try? HNSWParameters(ef: ef).validate()) != nil
            #expect(accepted == HNSWSettings.efRange.contains(ef), "ef \(ef)")
            #expect((HNSWSettings(ef: ef).problem() == nil) == accepted, "ef \(ef)")
        }
    }

    @Test("a schema whose HNSW settings cannot build a graph is refused before anything is stored")
    func schemaRefused() {
        let schema = CollectionSchema(name: "big", dimension: 8, distance: .cosine, hnsw: HNSWSettings(m: 300))
        #expect(throws: StorageError.self) { try schema.validate() }
    }
}
