import Foundation
import Storage
import Testing

@Suite struct BlobTests {
    @Test func blobsRoundTripAcrossChunksAndReplace() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let build = try store.build(id: "build-1")
        let large = (0 ..< (BlobTable.chunkSize * 2 + 123)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try build.blobs.put(name: "graph", bytes: large)
        try build.blobs.put(name: "empty", bytes: [])
        try build.blobs.put(name: "small", bytes: [1, 2, 3])
        #expect(try build.blobs.get(name: "graph") == large)
        #expect(try build.blobs.get(name: "empty") == [])
        #expect(try build.blobs.get(name: "missing") == nil)
        #expect(try build.blobs.names() == ["empty", "graph", "small"])

        try build.blobs.put(name: "graph", bytes: [9])
        #expect(try build.blobs.get(name: "graph") == [9])
        #expect(try build.blobs.delete(name: "small"))
        #expect(try build.blobs.delete(name: "small") == false)
        #expect(try build.blobs.names() == ["empty", "graph"])
        #expect(throws: StorageError.invalidBlobName("")) { try build.blobs.put(name: "", bytes: [1]) }
        #expect(throws: StorageError.invalidBlobName("a\u{0}b")) { try build.blobs.put(name: "a\u{0}b", bytes: [1]) }
        #expect(try store.buildIDs() == ["build-1"])
    }

    @Test func aBuildEnvironmentOpensByPathAndKeepsItsBlobs() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("standalone")
        do {
            let build = try BuildStore(path: path)
            try build.blobs.put(name: "vectors", bytes: [1, 2, 3, 4])
        }
        let reopened = try BuildStore(path: path)
        #expect(try reopened.blobs.get(name: "vectors") == [1, 2, 3, 4])
    }

    @Test func aBlobWritesAtomicallyWithOtherDataInOneTransaction() throws {
        let directory = try TemporaryDirectory()
        let build = try BuildStore(path: directory.appending("b"))
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try build.environment.write { transaction in
                try build.blobs.table.put(name: "graph", bytes: [1, 2], in: transaction)
                try transaction.put([7], forKey: [1], in: build.meta)
                throw Abort()
            }
        }
        #expect(try build.blobs.get(name: "graph") == nil)
    }
}
