import Foundation
import Lifecycle
import Storage
import Testing

/// Periodic images of the serving index are deltas on top of one full image, so storing one
/// costs what changed, not the whole graph; an open applies them and replays only the rest.
@Suite struct IndexImageChainTests {
    private static let deltaPrefix = "serving-index+delta-"

    private func deltaCount(_ collection: ServingCollection) throws -> Int {
        try collection.store.blobs.names().filter { $0.hasPrefix(Self.deltaPrefix) }.count
    }

    @Test("images after the first are deltas; a restart applies them and replays only what came after")
    func restartAppliesDeltas() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vectors = clustered(1_400, dimension: 64)
        do {
            let engine = try Engine(dataDirectory: directory)
            let collection = try engine.createCollection(CollectionSchema(name: "c", dimension: 64, distance: .euclid))
            try collection.upsert(points(Array(vectors[0 ..< 1_000])))
            try collection.persistIndex()
            #expect(try deltaCount(collection) == 0)
            try collection.upsert(points(Array(vectors[1_000 ..< 1_300]), firstID: 1_000))
            _ = try collection.delete(.ids((0 ..< 50).map { PointID.number(UInt64($0)) }))
            try collection.persistIndex()
            #expect(try deltaCount(collection) == 1)
            // After the last image: replayed from the log at the next open.
            try collection.upsert(points(Array(vectors[1_300 ..< 1_400]), firstID: 1_300))
        }
        let reopened = try Engine(dataDirectory: directory).collection(named: "c")
        #expect(reopened.loadedFromImage)
        #expect(reopened.openingReport.imageDeltas == 1)
        #expect(reopened.openingReport.replayedChanges == 100)
        #expect(reopened.openingReport.discardedImage == nil)
        #expect(reopened.liveCount == 1_350)
        for row in [50, 999, 1_000, 1_299, 1_300, 1_399] {
            let hits = try reopened.search(SearchRequest(vector: vectors[row], limit: 1)).hits
            #expect(hits.first?.point.id == .number(UInt64(row)), "row \(row)")
        }
        let deleted = try reopened.search(SearchRequest(vector: vectors[10], limit: 5)).hits
        #expect(!deleted.contains { $0.point.id == .number(10) })
    }

    @Test("deltas stay bounded: past the limit the next image is full and the deltas are dropped")
    func chainIsBounded() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vectors = clustered(3_000, dimension: 64)
        var sawFullAgain = false
        do {
            let engine = try Engine(dataDirectory: directory)
            let collection = try engine.createCollection(CollectionSchema(name: "c", dimension: 64, distance: .euclid))
            try collection.upsert(points(Array(vectors[0 ..< 2_000])))
            try collection.persistIndex()
            var previous = 0
            for round in 0 ..< 20 {
                let first = 2_000 + round * 50
                try collection.upsert(points(Array(vectors[first ..< first + 50]), firstID: UInt64(first)))
                try collection.persistIndex()
                let deltas = try deltaCount(collection)
                #expect(deltas <= 8)
                if deltas < previous { sawFullAgain = true }
                previous = deltas
            }
        }
        #expect(sawFullAgain, "a full image replaced the deltas at some point")
        let reopened = try Engine(dataDirectory: directory).collection(named: "c")
        #expect(reopened.liveCount == 3_000)
        #expect(reopened.openingReport.replayedChanges == 0)
        for row in [0, 1_999, 2_000, 2_525, 2_999] {
            #expect(try reopened.search(SearchRequest(vector: vectors[row], limit: 1)).hits.first?.point.id == .number(UInt64(row)))
        }
    }

    @Test("when another writer stored a full image, the next delta is refused and the image after it is full")
    func anotherWriterMovesTheChain() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vectors = clustered(2_150, dimension: 64)
        do {
            let engine = try Engine(dataDirectory: directory)
            let collection = try engine.createCollection(CollectionSchema(name: "c", dimension: 64, distance: .euclid))
            try collection.upsert(points(Array(vectors[0 ..< 2_000])))
            try collection.persistIndex()
            let older = try #require(try collection.store.blobs.get(name: "serving-index"))
            try collection.upsert(points(Array(vectors[2_000 ..< 2_050]), firstID: 2_000))
            try collection.persistIndex()
            #expect(try deltaCount(collection) == 1)
            // Another process stores its (older) full image, dropping the deltas as it does.
            try collection.store.blobs.put(name: "serving-index", bytes: older)
            for name in try collection.store.blobs.names() where name.hasPrefix(Self.deltaPrefix) { try collection.store.blobs.delete(name: name) }
            try collection.upsert(points(Array(vectors[2_050 ..< 2_100]), firstID: 2_050))
            #expect(throws: LifecycleError.self) { try collection.persistIndex() }
            try collection.upsert(points(Array(vectors[2_100 ..< 2_150]), firstID: 2_100))
            let stored = try #require(try collection.persistIndex())
            #expect(!stored.isDelta)
            #expect(try deltaCount(collection) == 0)
        }
        let reopened = try Engine(dataDirectory: directory).collection(named: "c")
        #expect(reopened.loadedFromImage && reopened.openingReport.replayedChanges == 0)
        #expect(reopened.liveCount == 2_150)
        for row in [0, 2_025, 2_075, 2_149] {
            #expect(try reopened.search(SearchRequest(vector: vectors[row], limit: 1)).hits.first?.point.id == .number(UInt64(row)))
        }
    }

    @Test("an image chain that cannot be used is dropped and the index rebuilt from the stored points")
    func unusableChainRebuilds() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vectors = clustered(600, dimension: 16)
        do {
            let engine = try Engine(dataDirectory: directory)
            let collection = try engine.createCollection(CollectionSchema(name: "c", dimension: 16, distance: .euclid))
            try collection.upsert(points(Array(vectors[0 ..< 500])))
            try collection.persistIndex()
            try collection.upsert(points(Array(vectors[500 ..< 600]), firstID: 500))
            try collection.persistIndex()
            // A delta that follows some other image (as if a full image were lost).
            let name = try #require(collection.store.blobs.names().first { $0.hasPrefix(Self.deltaPrefix) })
            var bytes = try #require(try collection.store.blobs.get(name: name))
            bytes[16 + 12] ^= 0xFF
            try collection.store.blobs.put(name: name, bytes: bytes)
        }
        let reopened = try Engine(dataDirectory: directory).collection(named: "c")
        #expect(!reopened.loadedFromImage)
        #expect(reopened.openingReport.discardedImage != nil)
        #expect(reopened.liveCount == 600)
        #expect(try reopened.search(SearchRequest(vector: vectors[599], limit: 1)).hits.first?.point.id == .number(599))
    }
}
