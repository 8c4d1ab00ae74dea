import Foundation
import Storage
import Testing

@Suite struct BackupTests {
    static func livePoint(_ id: Int) -> PointInput {
        PointInput(id: .number(UInt64(id)), vector: vector(id), payload: ["id": .int(Int64(id)), "half": .bool(id % 2 == 0)])
    }

    @Test func backupWhileWritingRestoresAConsistentCopy() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let fixed = try store.createCollection(CollectionSchema(name: "fixed", dimension: 4, distance: .cosine, payloadIndexes: ["k": .keyword]))
        try fixed.upsert((0 ..< 300).map { PointInput(id: .uuid(UUID()), vector: vector($0), payload: ["k": .string("v\($0 % 7)")], text: "t\($0)") })
        try fixed.delete(.filter(.matching("k", .keyword("v3"))))
        try fixed.blobs.put(name: "graph", bytes: Array(repeating: 5, count: 10_000))
        try store.build(id: "b1").blobs.put(name: "artifact", bytes: [1, 2, 3])
        let live = try store.createCollection(CollectionSchema(name: "live", dimension: 4, distance: .dot, payloadIndexes: ["half": .bool]))
        try live.upsert((0 ..< 50).map(Self.livePoint))
        let fixedBefore = try CollectionSnapshot(fixed)

        // Keep writing small batches while the backup runs.
        let stop = SharedFlag()
        let failures = SharedCounter()
        let written = SharedCounter()
        written.add(50)
        let backupURL = directory.appending("backup")
        let writer: @Sendable () -> Void = {
            while !stop.isSet {
                let start = written.value
                do {
                    try live.upsert((start ..< start + 5).map(Self.livePoint))
                    written.add(5)
                } catch {
                    failures.add(1)
                }
            }
        }
        let backup: @Sendable () -> Void = {
            Thread.sleep(forTimeInterval: 0.05)
            do {
                try store.backup(to: backupURL)
            } catch {
                failures.add(1000)
            }
            Thread.sleep(forTimeInterval: 0.05)
            stop.set()
        }
        runOnThreads([writer, backup])
        #expect(failures.value == 0)

        let restoredURL = directory.appending("restored")
        try Store.restore(from: backupURL, to: restoredURL)
        let restored = try Store(directory: restoredURL)
        #expect(try restored.collectionNames() == ["fixed", "live"])
        let restoredFixed = try restored.collection(named: "fixed")
        #expect(try CollectionSnapshot(restoredFixed) == fixedBefore)
        #expect(try restoredFixed.blobs.get(name: "graph") == Array(repeating: 5, count: 10_000))
        #expect(try restoredFixed.count(filter: .matching("k", .keyword("v3"))) == 0)
        #expect(try restored.build(id: "b1").blobs.get(name: "artifact") == [1, 2, 3])

        // The live copy is a prefix of the writes: points 0..<n, exactly as written, one log
        // entry each, and its index agrees.
        let restoredLive = try CollectionSnapshot(restored.collection(named: "live"))
        let count = restoredLive.points.count
        #expect(count >= 50 && count <= written.value)
        #expect(restoredLive.points.map(\.id) == (0 ..< count).map { PointID.number(UInt64($0)) })
        #expect(restoredLive.points.map(\.vector) == (0 ..< count).map { vector($0) })
        #expect(restoredLive.points.map(\.payload) == (0 ..< count).map { Self.livePoint($0).payload.objectValue! })
        #expect(restoredLive.changes.map(\.sequence) == Array(1 ... UInt64(count)))
        #expect(try restored.collection(named: "live").count(filter: .matching("half", .bool(true))) == (count + 1) / 2)
    }

    @Test func restoreRefusesWhatIsNotAnIntactBackup() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        try store.createCollection(CollectionSchema(name: "c", dimension: 2, distance: .dot)).upsert([PointInput(id: .number(1), vector: [1, 2])])
        let backupURL = directory.appending("backup")
        try store.backup(to: backupURL)
        #expect(throws: StorageError.targetNotEmpty(path: backupURL.path)) { try store.backup(to: backupURL) }

        // A non-empty target is refused.
        let occupied = directory.appending("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: occupied.appending(path: "file"))
        #expect(throws: StorageError.targetNotEmpty(path: occupied.path)) { try Store.restore(from: backupURL, to: occupied) }

        // A directory without the manifest (a data directory, or an interrupted backup).
        #expect { try Store.restore(from: store.directory, to: directory.appending("r1")) } throws: { error in
            guard case StorageError.notABackup = error else { return false }
            return true
        }

        // A manifest with the wrong magic, then with a future version.
        let manifest = backupURL.appending(path: "lodestone-backup.manifest")
        let original = try Data(contentsOf: manifest)
        try Data("SOMETHING-ELSE 1\n{}".utf8).write(to: manifest)
        #expect { try Store.restore(from: backupURL, to: directory.appending("r2")) } throws: { error in
            guard case StorageError.notABackup = error else { return false }
            return true
        }
        try Data("LODESTONE-BACKUP 99\n{}".utf8).write(to: manifest)
        #expect(throws: StorageError.unsupportedFormat(what: "backup manifest", found: 99, supported: 1)) {
            try Store.restore(from: backupURL, to: directory.appending("r3"))
        }

        // A manifest naming a collection whose files are missing.
        try original.write(to: manifest)
        try FileManager.default.removeItem(at: backupURL.appending(path: "collections/c/data.mdb"))
        #expect { try Store.restore(from: backupURL, to: directory.appending("r4")) } throws: { error in
            guard case StorageError.notABackup = error else { return false }
            return true
        }
    }
}
