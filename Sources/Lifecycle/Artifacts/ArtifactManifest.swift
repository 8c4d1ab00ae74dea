import Crypto
import Foundation

/// The files of an artifact (a model or a dataset) with their SHA-256 and size. Its digest
/// (SHA-256 of the canonical text, one `sha256  size  path` line per file in path order) is
/// the artifact's identity: any change to any file that determines the output changes it.
public struct ArtifactManifest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var size: Int

        public init(path: String, sha256: String, size: Int) {
            self.path = path
            self.sha256 = sha256
            self.size = size
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries.sorted { $0.path < $1.path } }

    public var text: String { entries.map { "\($0.sha256)  \($0.size)  \($0.path)\n" }.joined() }

    public var digest: String { ArtifactManifest.hex(SHA256.hash(data: Data(text.utf8))) }

    /// Reads `MANIFEST` as written by `text`.
    public init(parsing text: String) throws(ArtifactError) {
        var entries: [Entry] = []
        for line in text.split(separator: "\n") {
            // `sha256  size  path`: the path is the rest of the line and may hold spaces.
            let parts = line.components(separatedBy: "  ")
            guard parts.count >= 3, parts[0].count == 64, let size = Int(parts[1]) else { throw .corruptManifest(String(line.prefix(80))) }
            entries.append(Entry(path: parts[2...].joined(separator: "  "), sha256: parts[0], size: size))
        }
        self.init(entries: entries)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Streams a file through SHA-256 in 4 MiB reads.
    static func sha256(of file: URL) throws -> (digest: String, size: Int) {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        return (hex(hasher.finalize()), size)
    }
}

public enum ArtifactError: Error, Equatable, CustomStringConvertible {
    case corruptManifest(String)
    case missingFile(String)
    case unsafePath(String)
    case notFound(String)

    public var description: String {
        switch self {
        case let .corruptManifest(line): "an artifact manifest line is unreadable: `\(line)`"
        case let .missingFile(what): "\(what) is missing"
        case let .unsafePath(path): "`\(path)` is not a plain relative path inside the artifact"
        case let .notFound(digest): "no artifact with digest \(digest.prefix(16))… in the artifact store"
        }
    }
}
