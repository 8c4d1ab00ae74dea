import Foundation
import Lifecycle
import Storage
import Testing

/// The planner's choice between an exact scan of a filter's matches and a graph walk that
/// checks each node, made from index counts (or a sample, for unindexed fields) against
/// Qdrant's absolute `full_scan_threshold`; and that either way the answer is right.
@Suite struct FilterPlanTests {
    /// 64 KB of 16-float vectors: filters matching at most 1,024 points are scanned exactly.
    static let hnsw = HNSWSettings(fullScanThreshold: 64)

    func collection(_ directory: URL, indexes: [String: PayloadIndexType]) throws -> ServingCollection {
        let engine = try Engine(dataDirectory: directory)
        let collection = try engine.createCollection(CollectionSchema(
            name: "f", dimension: 16, distance: .euclid, hnsw: Self.hnsw, payloadIndexes: indexes))
        try collection.upsert(points(clustered(6_000, dimension: 16)))
        return collection
    }

    func overlapWithExact(_ collection: ServingCollection, _ filter: Filter, query: [Float]) throws -> (SearchPlan, Int, [SearchHit]) {
        let found = try collection.search(SearchRequest(vector: query, limit: 10, filter: filter))
        let exact = try collection.search(SearchRequest(vector: query, limit: 10, filter: filter, exact: true))
        #expect(exact.hits.count == 10)
        let overlap = Set(found.hits.map(\.point.id)).intersection(exact.hits.map(\.point.id)).count
        return (found.plan, overlap, found.hits)
    }

    @Test("an indexed filter below the threshold scans its matches; above it, the graph checks each node")
    func indexedFilters() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collection = try collection(directory, indexes: ["group": .keyword])
        let query = clustered(1, dimension: 16, stream: 1)[0]
        // 600 "rare" points: under 1,024.
        let rare = try Filter(jsonText: #"{"must":[{"key":"group","match":{"value":"rare"}}]}"#)
        let (rarePlan, rareOverlap, rareHits) = try overlapWithExact(collection, rare, query: query)
        #expect(rarePlan == .exactCandidates)
        #expect(rareOverlap == 10)
        #expect(rareHits.allSatisfy { $0.point.payload["group"] == .string("rare") })
        // 5,400 "common" points.
        let common = try Filter(jsonText: #"{"must":[{"key":"group","match":{"value":"common"}}]}"#)
        let (commonPlan, commonOverlap, commonHits) = try overlapWithExact(collection, common, query: query)
        #expect(commonPlan == .filteredGraph)
        #expect(commonOverlap >= 9)
        #expect(commonHits.allSatisfy { $0.point.payload["group"] == .string("common") })
        // must_not of the rare value is the common points without listing them.
        let notRare = try Filter(jsonText: #"{"must_not":[{"key":"group","match":{"value":"rare"}}]}"#)
        let (notRarePlan, notRareOverlap, _) = try overlapWithExact(collection, notRare, query: query)
        #expect(notRarePlan == .filteredGraph)
        #expect(notRareOverlap >= 9)
    }

    @Test("an unindexed filter is sampled: a rare one scans its matches, a broad one is checked on the payload at each node")
    func unindexedFilters() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collection = try collection(directory, indexes: [:])
        let query = clustered(1, dimension: 16, stream: 1)[0]
        let few = try Filter(jsonText: #"{"must":[{"key":"n","range":{"lt":300}}]}"#)
        let (fewPlan, fewOverlap, fewHits) = try overlapWithExact(collection, few, query: query)
        #expect(fewPlan == .exactCandidates)
        #expect(fewOverlap == 10)
        #expect(fewHits.allSatisfy { if case let .int(n)? = $0.point.payload["n"] { n < 300 } else { false } })
        let many = try Filter(jsonText: #"{"must":[{"key":"n","range":{"gte":1000}}, {"key":"group","match":{"value":"common"}}]}"#)
        let (manyPlan, manyOverlap, manyHits) = try overlapWithExact(collection, many, query: query)
        #expect(manyPlan == .filteredGraph)
        #expect(manyOverlap >= 9)
        #expect(manyHits.allSatisfy { hit in
            guard case let .int(n)? = hit.point.payload["n"] else { return false }
            return n >= 1000 && hit.point.payload["group"] == .string("common")
        })
    }

    @Test("a filter admitting fewer points than asked returns exactly those, whichever path was planned")
    func fewerMatchesThanAsked() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collection = try collection(directory, indexes: ["group": .keyword])
        let query = clustered(1, dimension: 16, stream: 1)[0]
        // Broad by the index, but the unindexed range keeps five points (none of them rare).
        let five = try Filter(jsonText: #"{"must":[{"key":"group","match":{"value":"common"}}, {"key":"n","range":{"gte":5995}}]}"#)
        let hits = try collection.search(SearchRequest(vector: query, limit: 10, filter: five)).hits
        let expected: Set<PointID> = Set((5_995 ..< 6_000).map { PointID.number(UInt64($0)) })
        #expect(Set(hits.map(\.point.id)) == expected)
    }

    @Test("full_scan_threshold is stored with the schema, and schemas stored without it get Qdrant's default")
    func thresholdIsStored() throws {
        #expect(Self.hnsw.exactScanLimit(dimension: 16) == 1_024)
        #expect(HNSWSettings().exactScanLimit(dimension: 128) == 20_000)
        let old = #"{"m":16,"efConstruction":200,"ef":64}"#
        let decoded = try JSONDecoder().decode(HNSWSettings.self, from: Data(old.utf8))
        #expect(decoded.fullScanThreshold == HNSWSettings.defaultFullScanThreshold)
    }
}
