import Foundation
import Storage
import Synchronization
import Testing

@Suite struct LMDBEnvironmentTests {
    @Test func putGetDeleteAndMissingKeysAreNil() throws {
        let directory = try TemporaryDirectory()
        let environment = try LMDBEnvironment(path: directory.appending("env"))
        let database = try environment.openDatabase(named: "items")
        try environment.write { transaction in
            try transaction.put(bytes("one"), forKey: bytes("a"), in: database)
            try transaction.put(bytes("two"), forKey: bytes("b"), in: database)
            #expect(try transaction.put(bytes("x"), forKey: bytes("a"), in: database, options: .noOverwrite) == false)
        }
        let read = try environment.read { transaction in
            (
                try transaction.value(forKey: bytes("a"), in: database),
                try transaction.value(forKey: bytes("missing"), in: database),
                try transaction.withValue(forKey: bytes("b"), in: database) { $0.count }
            )
        }
        #expect(read.0 == bytes("one"))
        #expect(read.1 == nil)
        #expect(read.2 == 3)
        let deletions = try environment.write { transaction in
            (try transaction.delete(key: bytes("a"), in: database), try transaction.delete(key: bytes("a"), in: database))
        }
        #expect(deletions == (true, false))
        #expect(try environment.read { try $0.entryCount(in: database) } == 1)
    }

    @Test func throwingInsideWriteAbortsEverything() throws {
        struct Boom: Error {}
        let directory = try TemporaryDirectory()
        let environment = try LMDBEnvironment(path: directory.appending("env"))
        let database = try environment.openDatabase(named: "items")
        #expect(throws: Boom.self) {
            try environment.write { transaction in
                try transaction.put(bytes("v"), forKey: bytes("k"), in: database)
                throw Boom()
            }
        }
        #expect(try environment.read { try $0.value(forKey: bytes("k"), in: database) } == nil)
    }

    @Test func cursorsSeekAndIterateByPrefix() throws {
        let directory = try TemporaryDirectory()
        let environment = try LMDBEnvironment(path: directory.appending("env"))
        let database = try environment.openDatabase(named: "items")
        try environment.write { transaction in
            for key in ["apple", "apricot", "banana", "blueberry", "cherry"] {
                try transaction.put(bytes(key.uppercased()), forKey: bytes(key), in: database)
            }
        }
        try environment.read { transaction in
            var seen: [String] = []
            try transaction.forEach(in: database, withPrefix: bytes("b")) { key, _ in
                seen.append(String(decoding: key, as: UTF8.self))
                return true
            }
            #expect(seen == ["banana", "blueberry"])
            let moves = try transaction.withCursor(on: database) { cursor in
                [
                    try cursor.move(.atLeast(bytes("c")))?.value,
                    try cursor.move(.next)?.key,
                    try cursor.move(.last)?.key,
                    try cursor.move(.previous)?.key,
                    try cursor.move(.exactly(bytes("berry")))?.key,
                ]
            }
            #expect(moves == [bytes("CHERRY"), nil, bytes("cherry"), bytes("blueberry"), nil])
        }
    }

    @Test func duplicateSortedValuesComeBackPackedAndCounted() throws {
        let directory = try TemporaryDirectory()
        let environment = try LMDBEnvironment(path: directory.appending("env"))
        let database = try environment.openDatabase(named: "postings", flags: [.duplicateSort, .duplicateFixed])
        let many = (0 ..< 3000).map { UInt32($0 * 3) }
        try environment.write { transaction in
            for id in many {
                try transaction.put(be(id), forKey: bytes("many"), in: database)
            }
            try transaction.put(be(7), forKey: bytes("one"), in: database)
            #expect(try transaction.put(be(7), forKey: bytes("one"), in: database, options: .noDuplicateData) == false)
        }
        try environment.read { transaction in
            let packed = try #require(try transaction.packedDuplicates(ofKey: bytes("many"), in: database))
            #expect(packed == many.flatMap(be))
            #expect(try transaction.packedDuplicates(ofKey: bytes("one"), in: database) == be(7))
            #expect(try transaction.packedDuplicates(ofKey: bytes("none"), in: database) == nil)
            #expect(try transaction.duplicateCount(ofKey: bytes("many"), in: database) == 3000)
            var keys: [String: Int] = [:]
            try transaction.forEachKeyWithCount(in: database, from: []) { key, count in
                keys[String(decoding: key, as: UTF8.self)] = count
                return true
            }
            #expect(keys == ["many": 3000, "one": 1])
        }
    }

    @Test func mapGrowsWhenFull() throws {
        let directory = try TemporaryDirectory()
        let environment = try LMDBEnvironment(path: directory.appending("env"), options: .init(mapSize: 64 << 10))
        let database = try environment.openDatabase(named: "items")
        let initial = environment.mapSize
        for batch in 0 ..< 20 {
            try environment.write { transaction in
                for item in 0 ..< 50 {
                    try transaction.put([UInt8](repeating: UInt8(item), count: 4000), forKey: bytes("\(batch)-\(item)"), in: database)
                }
            }
        }
        #expect(environment.mapSize > initial)
        let (count, last) = try environment.read { transaction in
            (try transaction.entryCount(in: database), try transaction.value(forKey: bytes("19-49"), in: database))
        }
        #expect(count == 1000)
        #expect(last == [UInt8](repeating: 49, count: 4000))
    }

    @Test func growthStopsAtTheConfiguredLimitAndKeepsOldData() throws {
        let directory = try TemporaryDirectory()
        let environment = try LMDBEnvironment(path: directory.appending("env"), options: .init(mapSize: 64 << 10, maximumMapSize: 256 << 10))
        let database = try environment.openDatabase(named: "items")
        try environment.write { try $0.put(bytes("kept"), forKey: bytes("k"), in: database) }
        #expect(throws: StorageError.mapSizeLimitReached(path: environment.path.path, limit: 256 << 10)) {
            try environment.write { transaction in
                for item in 0 ..< 200 {
                    try transaction.put([UInt8](repeating: 1, count: 4000), forKey: bytes("\(item)"), in: database)
                }
            }
        }
        #expect(try environment.read { try $0.value(forKey: bytes("k"), in: database) } == bytes("kept"))
    }

    @Test func openingTheSameEnvironmentTwiceIsRefused() throws {
        let directory = try TemporaryDirectory()
        let first = try LMDBEnvironment(path: directory.appending("env"))
        #expect(throws: StorageError.self) { try LMDBEnvironment(path: directory.appending("env")) }
        _ = first
    }

    /// Readers loop while a writer commits batches that each keep two invariants: keys "a" and
    /// "b" are equal, and "count" equals the number of item records. A tiny map makes the
    /// writer grow the map while readers are running.
    @Test func readersSeeConsistentSnapshotsWhileWriterCommits() throws {
        let directory = try TemporaryDirectory()
        let environment = try LMDBEnvironment(path: directory.appending("env"), options: .init(mapSize: 64 << 10))
        let meta = try environment.openDatabase(named: "meta")
        let items = try environment.openDatabase(named: "items")
        try environment.write { transaction in
            try transaction.put(be(0), forKey: bytes("a"), in: meta)
            try transaction.put(be(0), forKey: bytes("b"), in: meta)
            try transaction.put(be(0), forKey: bytes("count"), in: meta)
        }
        let stop = SharedFlag()
        let violations = SharedCounter()
        let reads = SharedCounter()
        let writes = SharedCounter()
        let reader: @Sendable () -> Void = {
            while !stop.isSet {
                let consistent = (try? environment.read { transaction -> Bool in
                    let a = try transaction.value(forKey: bytes("a"), in: meta)
                    let b = try transaction.value(forKey: bytes("b"), in: meta)
                    let count = try transaction.value(forKey: bytes("count"), in: meta).map(unbe)
                    let entries = try transaction.entryCount(in: items)
                    return a == b && count == UInt32(entries)
                }) ?? false
                if !consistent { violations.add(1) }
                reads.add(1)
            }
        }
        let writer: @Sendable () -> Void = {
            var counter: UInt32 = 0
            let deadline = Date().addingTimeInterval(2)
            while Date() < deadline {
                do {
                    try environment.write { transaction in
                        let next = counter + 1
                        try transaction.put(be(next), forKey: bytes("a"), in: meta)
                        for item in 0 ..< 5 {
                            try transaction.put([UInt8](repeating: 7, count: 300), forKey: be(next * 5 + UInt32(item)), in: items)
                        }
                        try transaction.put(be(next * 5), forKey: bytes("count"), in: meta)
                        try transaction.put(be(next), forKey: bytes("b"), in: meta)
                    }
                    counter += 1
                    writes.add(1)
                } catch {
                    violations.add(1000)
                }
            }
            stop.set()
        }
        runOnThreads([reader, reader, writer])
        #expect(violations.value == 0)
        #expect(writes.value > 10)
        #expect(reads.value > 10)
        #expect(environment.mapSize > 64 << 10)
    }
}

func be(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

func unbe(_ bytes: [UInt8]) -> UInt32 {
    bytes.reduce(0) { $0 << 8 | UInt32($1) }
}
