import Foundation
import Storage
import Testing

/// Every environment carries a format record (magic + version) that is checked on open.
@Suite struct FormatTests {
    @Test func anEnvironmentOfAnotherKindIsRefused() throws {
        let directory = try TemporaryDirectory()
        let buildPath = directory.appending("build")
        do {
            let build = try BuildStore(path: buildPath)
            try build.blobs.put(name: "x", bytes: [1])
        }
        let dataDirectory = directory.appending("data")
        try FileManager.default.createDirectory(at: dataDirectory.appending(path: "catalog"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: buildPath.appending(path: "data.mdb"), to: dataDirectory.appending(path: "catalog/data.mdb"))
        #expect { try Store(directory: dataDirectory) } throws: { error in
            guard case StorageError.corruptRecord(let reason) = error else { return false }
            return reason.contains("catalog environment")
        }
    }

    @Test func aFutureFormatVersionIsRefused() throws {
        let directory = try TemporaryDirectory()
        let dataDirectory = directory.appending("data")
        do {
            let environment = try LMDBEnvironment(path: dataDirectory.appending(path: "catalog"))
            let meta = try environment.openDatabase(named: "meta")
            try environment.write { try $0.put(Array("LCAT".utf8) + [0, 99], forKey: Array("format".utf8), in: meta) }
        }
        #expect(throws: StorageError.unsupportedFormat(what: "catalog environment", found: 99, supported: 1)) {
            try Store(directory: dataDirectory)
        }
    }
}
