import Foundation

/// Immutable, content-addressed copies of what models and evaluation datasets are made of,
/// under `DATA/artifacts/KIND/DIGEST/`: serving, builds and evaluations read these copies only,
/// so changing or deleting the directory a model was registered from changes nothing. Files
/// are written to a staging directory, synced, made read-only and renamed into place; an
/// artifact directory that exists is complete.
public struct ArtifactStore: Sendable {
    public enum Kind: String, Sendable { case models, datasets }

    public let root: URL
    static let manifestName = "MANIFEST"

    public init(dataDirectory: URL) { root = dataDirectory.appending(path: "artifacts", directoryHint: .isDirectory) }

    public func directory(_ kind: Kind, digest: String) -> URL {
        root.appending(path: "\(kind.rawValue)/\(digest)", directoryHint: .isDirectory)
    }

    /// Where a model version's files are: its artifact, or for a version registered before the
    /// artifact store, the directory it was registered from.
    public func directory(of record: ModelRecord) -> URL {
        record.digest.map { directory(.models, digest: $0) } ?? URL(fileURLWithPath: record.path)
    }

    /// Unpacks an uploaded tar stream into a staging directory removed afterwards, and hands
    /// `body` where its files start: at the top, or inside its one top-level directory when
    /// `marker` is not at the top.
    func withUnpackedUpload<T>(_ bytes: [UInt8], marker: String, _ body: (URL) throws -> T) throws -> T {
        let staging = root.appending(path: "staging/upload-\(UUID().uuidString)", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        let files = try TarArchive.extract(bytes, into: staging)
        let tops = Set(files.map { $0.split(separator: "/").first.map(String.init) ?? $0 })
        if !files.contains(marker), tops.count == 1, let top = tops.first, files.allSatisfy({ $0.hasPrefix(top + "/") }) {
            return try body(staging.appending(path: top, directoryHint: .isDirectory))
        }
        return try body(staging)
    }

    /// Copies `files` (paths relative to `source`) into the store; returns the manifest. The
    /// same content again finds the existing copy.
    public func importFiles(_ files: [String], from source: URL, kind: Kind, within: URL? = nil) throws -> ArtifactManifest {
        let manager = FileManager.default
        let staging = root.appending(path: "staging/\(UUID().uuidString)", directoryHint: .isDirectory)
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: staging) }
        var entries: [ArtifactManifest.Entry] = []
        for file in files {
            guard Self.isSafeRelativePath(file) else { throw ArtifactError.unsafePath(file) }
            let from = source.appending(path: file), to = staging.appending(path: file)
            try manager.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            // A copy of the bytes, not of a link. A link is read through only when it is a
            // regular file inside `within` (the import root, when a caller named the directory).
            let resolved = from.resolvingSymlinksInPath()
            if let within, !Self.isInside(resolved, within) { throw ArtifactError.unsafePath(file) }
            try manager.copyItem(at: resolved, to: to)
            // Writable by the server until sealed, whatever the source's mode was.
            try manager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: to.path)
            let (digest, size) = try ArtifactManifest.sha256(of: to)
            entries.append(.init(path: file, sha256: digest, size: size))
        }
        let manifest = ArtifactManifest(entries: entries)
        try Data(manifest.text.utf8).write(to: staging.appending(path: Self.manifestName))
        let destination = directory(kind, digest: manifest.digest)
        if manager.fileExists(atPath: destination.path) { return manifest }
        try Self.seal(staging)
        try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            try manager.moveItem(at: staging, to: destination)
        } catch where manager.fileExists(atPath: destination.path) {
            // Another registration of the same content won the rename; its copy is the same.
        }
        return manifest
    }

    /// Imports `files` and records them with `register`; when that throws (the files do not
    /// load, or the version holds other files), the copy is removed unless `isReferenced` says
    /// another version has the same digest.
    func importing<T>(_ files: [String], from source: URL, kind: Kind, within: URL?, isReferenced: (String) -> Bool,
                      register: (ArtifactManifest) throws -> T) throws -> T {
        let manifest = try importFiles(files, from: source, kind: kind, within: within)
        do {
            return try register(manifest)
        } catch {
            if !isReferenced(manifest.digest) { discard(kind, digest: manifest.digest) }
            throw error
        }
    }

    /// Re-hashes an artifact against its manifest; returns what differs (empty when intact).
    public func verify(_ kind: Kind, digest: String) -> [String] {
        let directory = directory(kind, digest: digest)
        guard let text = try? String(contentsOf: directory.appending(path: Self.manifestName), encoding: .utf8) else {
            return ["the artifact or its manifest is missing"]
        }
        guard let manifest = try? ArtifactManifest(parsing: text) else { return ["the manifest is unreadable"] }
        var problems: [String] = []
        if manifest.digest != digest { problems.append("the manifest's digest is \(manifest.digest.prefix(16))…, not the artifact's name") }
        for entry in manifest.entries {
            guard let (sha, size) = try? ArtifactManifest.sha256(of: directory.appending(path: entry.path)) else {
                problems.append("\(entry.path) is missing")
                continue
            }
            if sha != entry.sha256 || size != entry.size { problems.append("\(entry.path) changed (sha256 \(sha.prefix(12))…, expected \(entry.sha256.prefix(12))…)") }
        }
        return problems
    }

    public func manifest(_ kind: Kind, digest: String) throws -> ArtifactManifest {
        let file = directory(kind, digest: digest).appending(path: Self.manifestName)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { throw ArtifactError.notFound(digest) }
        return try ArtifactManifest(parsing: text)
    }

    static func isInside(_ file: URL, _ directory: URL) -> Bool {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath().path
        let path = file.standardizedFileURL.path
        return path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Removes an artifact no record names (a registration refused after its files were copied).
    func discard(_ kind: Kind, digest: String) {
        let directory = directory(kind, digest: digest)
        if let walker = FileManager.default.enumerator(atPath: directory.path) {
            for case let file as String in walker {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.appending(path: file).path)
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    static func isSafeRelativePath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    /// Syncs every file and makes it read-only, so the copy is durable before it is named.
    private static func seal(_ directory: URL) throws {
        let manager = FileManager.default
        guard let walker = manager.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return }
        for case let file as URL in walker where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let handle = try FileHandle(forReadingFrom: file)
            try handle.synchronize()
            try handle.close()
            try manager.setAttributes([.posixPermissions: 0o444], ofItemAtPath: file.path)
        }
    }
}
