import Foundation

/// `lodestone-backup.manifest`: a first line `LODESTONE-BACKUP <version>`, then JSON naming
/// what the backup holds. Written last, so a backup without it is incomplete.
struct BackupManifest: Codable, Equatable {
    static let fileName = "lodestone-backup.manifest"
    static let magic = "LODESTONE-BACKUP"
    static let version = 1

    var createdAt: Date
    /// Collection name -> a sequence number the copy is known to include (it may hold more).
    var collections: [String: UInt64]
    var builds: [String]

    func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        var contents = Data("\(Self.magic) \(Self.version)\n".utf8)
        contents.append(try encoder.encode(self))
        let url = directory.appending(path: Self.fileName)
        do {
            try contents.write(to: url, options: .atomic)
        } catch {
            throw StorageError.io(path: url.path, reason: "cannot write backup manifest: \(error)")
        }
    }

    static func read(from directory: URL) throws -> BackupManifest {
        let url = directory.appending(path: fileName)
        guard let contents = try? Data(contentsOf: url) else {
            throw StorageError.notABackup(path: directory.path, reason: "no readable \(fileName) (an interrupted backup has none)")
        }
        guard let newline = contents.firstIndex(of: UInt8(ascii: "\n")) else {
            throw StorageError.notABackup(path: directory.path, reason: "manifest has no header line")
        }
        let header = String(decoding: contents[..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 2, header[0] == magic, let found = Int(header[1]) else {
            throw StorageError.notABackup(path: directory.path, reason: "manifest does not start with \(magic)")
        }
        guard found == version else {
            throw StorageError.unsupportedFormat(what: "backup manifest", found: found, supported: version)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(BackupManifest.self, from: contents[(newline + 1)...])
        } catch {
            throw StorageError.notABackup(path: directory.path, reason: "manifest body is unreadable: \(error)")
        }
    }
}
