import Foundation
import Lifecycle
import Storage
import Testing
import VectorIndex

/// A snapshot taken while a collection serves recovers on another engine, under another
/// name, with the same answers, builds and serving build; a damaged one is refused whole.
@Suite struct SnapshotTests {
    @Test func aSnapshotRecoversElsewhereUnderAnotherNameWithTheSameAnswers() throws {
        let source = temporaryDataDirectory(), target = temporaryDataDirectory(), snapshots = temporaryDataDirectory()
        defer { for url in [source, target, snapshots] { try? FileManager.default.removeItem(at: url) } }
        let vectors = clustered(600, dimension: 8)
        func input(_ row: Int) -> PointInput { PointInput(id: .number(UInt64(row)), vector: vectors[row]) }
        let engine = try Engine(dataDirectory: source)
        let collection = try engine.createCollection(CollectionSchema(name: "c", dimension: 8, distance: .euclid))
        try collection.upsert((0 ..< 400).map(input))
        let build = try BuildRunner(context: engine.lifecycle, threads: 2).run(collection: "c", parameters: HNSWParameters(m: 8, efConstruction: 50, ef: 64))
        _ = try engine.promote(collection: "c", build: build.number, actor: "test")
        // Written after the build: the recovered build catches up from the copied change log.
        try collection.upsert((400 ..< 600).map(input))
        _ = try collection.delete(.ids([.number(7), .number(450)]))

        let directory = SnapshotDirectory(root: snapshots)
        let description = try engine.createSnapshot(of: "c", in: directory, actor: "test")
        #expect(try directory.list("c").map(\.name) == [description.name])
        let bytes = try Data(contentsOf: try directory.file("c", description.name))
        #expect(bytes.count == description.size)

        let other = try Engine(dataDirectory: target)
        let recovered = try other.recoverSnapshot(bytes, into: "d", checksum: description.checksum, actor: "test")
        #expect(recovered.liveCount == 598)
        #expect(recovered.servingBuild == build.number)
        #expect(try other.lifecycle.builds.builds(of: "d").map(\.number) == engine.lifecycle.builds.builds(of: "c").map(\.number))
        #expect(try other.lifecycle.audit.entries(of: "d").last?.action == .snapshotRecovered)
        for row in stride(from: 0, to: 600, by: 23) {
            let request = SearchRequest(vector: vectors[row], limit: 5)
            #expect(try recovered.search(request).hits.map(\.point.id) == collection.search(request).hits.map(\.point.id))
        }

        // One flipped byte inside the collection's copy, a wrong checksum: refused, nothing made.
        var damaged = bytes
        damaged[damaged.startIndex + 1_024] ^= 0xFF
        #expect(throws: LifecycleError.self) { try other.recoverSnapshot(damaged, into: "e", checksum: nil, actor: "test") }
        #expect(throws: LifecycleError.self) {
            try other.recoverSnapshot(bytes, into: "e", checksum: String(repeating: "0", count: 64), actor: "test")
        }
        #expect(try !other.collectionExists("e"))
    }

    @Test func tarStreamsRoundTripWithLongPaths() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let plain = directory.appending(path: "plain.bin")
        let payload = Data((0 ..< 70_000).map { UInt8(truncatingIfNeeded: $0 * 31) })
        try payload.write(to: plain)
        let long = String(repeating: "nested-directory/", count: 8) + "file.txt"
        let archive = directory.appending(path: "archive.tar")
        var writer = try TarWriter(creating: archive)
        try writer.addData(Data("hello".utf8), as: long)
        let added = try writer.addFile("plain.bin", from: plain)
        _ = try writer.finish()
        #expect(added.size == payload.count)
        let out = directory.appending(path: "out", directoryHint: .isDirectory)
        let files = try TarArchive.extract(try Data(contentsOf: archive), into: out)
        #expect(Set(files) == [long, "plain.bin"])
        #expect(try Data(contentsOf: out.appending(path: long)) == Data("hello".utf8))
        #expect(try Data(contentsOf: out.appending(path: "plain.bin")) == payload)
    }
}
