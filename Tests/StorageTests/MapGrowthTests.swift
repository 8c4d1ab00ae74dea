import Foundation
import Storage
import Testing

@Suite struct MapGrowthTests {
    /// Starts every environment at 64 KiB and writes about 6 MB of points and blobs; the map
    /// grows under the writes and everything reads back.
    @Test func storeWithATinyMapGrowsAndKeepsEverything() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory, options: Store.Options(mapSize: 64 << 10))
        let collection = try store.createCollection(CollectionSchema(name: "grow", dimension: 256, distance: .euclid, payloadIndexes: ["bucket": .integer]))
        let initial = collection.environment.mapSize
        for batch in 0 ..< 20 {
            try collection.upsert((0 ..< 200).map { offset in
                let id = batch * 200 + offset
                return PointInput(id: .number(UInt64(id)), vector: vector(id, dimension: 256), payload: ["bucket": .int(Int64(id % 13)), "pad": .string(String(repeating: "p", count: 400))])
            })
        }
        let blob = (0 ..< 3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try collection.blobs.put(name: "graph", bytes: blob)

        #expect(collection.environment.mapSize > initial)
        #expect(collection.environment.usedBytes > 5_000_000)
        #expect(try collection.count() == 4000)
        #expect(try collection.get(ids: [.number(3999)])[0].vector == vector(3999, dimension: 256))
        #expect(try collection.count(filter: .matching("bucket", .integer(5))) == (0 ..< 4000).filter { $0 % 13 == 5 }.count)
        #expect(try collection.blobs.get(name: "graph") == blob)
        #expect(try collection.changes(after: 0, limit: 10_000).count == 4000)
    }
}
