import Foundation

/// Where snapshots are kept, as Qdrant keeps them: `ROOT/COLLECTION/NAME.snapshot`, with
/// `NAME.snapshot.checksum` (its hex SHA-256) next to it. A `file://` recovery reads only
/// files inside this directory, so a caller cannot make the server read any other path.
public struct SnapshotDirectory: Sendable {
    public let root: URL
    static let suffix = ".snapshot"
    static let checksumSuffix = ".checksum"

    public init(root: URL) { self.root = root.standardizedFileURL }

    func directory(of collection: String) -> URL { root.appending(path: collection, directoryHint: .isDirectory) }

    /// The collection's snapshots, newest first.
    public func list(_ collection: String) throws -> [SnapshotDescription] {
        let directory = directory(of: collection)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { Self.isSnapshotName($0) }.compactMap { describe(directory.appending(path: $0)) }
            .sorted { ($0.creationTime ?? "", $0.name) > ($1.creationTime ?? "", $1.name) }
    }

    /// The stored snapshot `name` of `collection`.
    public func file(_ collection: String, _ name: String) throws -> URL {
        guard Self.isSnapshotName(name) else { throw LifecycleError.snapshotNotFound(collection: collection, name: name) }
        let file = directory(of: collection).appending(path: name)
        guard FileManager.default.fileExists(atPath: file.path) else { throw LifecycleError.snapshotNotFound(collection: collection, name: name) }
        return file
    }

    public func describe(_ file: URL) -> SnapshotDescription? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              (attributes[.type] as? FileAttributeType) == .typeRegular else { return nil }
        let checksum = try? String(contentsOf: URL(fileURLWithPath: file.path + Self.checksumSuffix), encoding: .utf8)
        return SnapshotDescription(name: file.lastPathComponent,
                                   creationTime: (attributes[.modificationDate] as? Date).map(SnapshotDescription.timestamp),
                                   size: (attributes[.size] as? NSNumber)?.intValue ?? 0,
                                   checksum: checksum?.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func delete(_ collection: String, _ name: String) throws {
        let file = try file(collection, name)
        do {
            try FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(atPath: file.path + Self.checksumSuffix)
        } catch {
            throw LifecycleError.snapshotFailed("cannot delete `\(name)`: \(error.localizedDescription)")
        }
    }

    /// The file a recovery's `location` names: a `file://` URL of a file inside this directory.
    public func resolve(location: String) throws -> URL {
        guard let url = URL(string: location), let scheme = url.scheme?.lowercased() else {
            throw LifecycleError.invalidRequest("`location` must be a file:// URL of a snapshot in the server's snapshots directory, got `\(location)`")
        }
        guard scheme == "file" else {
            throw LifecycleError.invalidRequest(
                "this server does not download snapshots (`\(scheme)` location): upload the file to POST /collections/{name}/snapshots/upload, or put it in the snapshots directory and give its file:// location")
        }
        let file = URL(fileURLWithPath: url.path).standardizedFileURL.resolvingSymlinksInPath()
        guard ArtifactStore.isInside(file, root), file.path != root.resolvingSymlinksInPath().path else {
            throw LifecycleError.invalidRequest("`\(location)` is outside the server's snapshots directory; only files inside it can be recovered by location")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw LifecycleError.invalidRequest("there is no snapshot file at `\(location)`")
        }
        return file
    }

    /// `COLLECTION-YYYY-MM-DD-HH-MM-SS.snapshot`, with a counter when one was taken this second.
    func newName(for collection: String, at date: Date) -> String {
        let stamp = SnapshotDescription.timestamp(date).replacingOccurrences(of: "T", with: "-").replacingOccurrences(of: ":", with: "-")
        let directory = directory(of: collection)
        var name = "\(collection)-\(stamp)\(Self.suffix)", counter = 1
        while FileManager.default.fileExists(atPath: directory.appending(path: name).path) {
            counter += 1
            name = "\(collection)-\(stamp)-\(counter)\(Self.suffix)"
        }
        return name
    }

    /// A fresh directory for an upload or a snapshot being written, removed by the caller.
    public func staging() throws -> URL {
        let directory = root.appending(path: ".staging/\(UUID().uuidString)", directoryHint: .isDirectory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw LifecycleError.snapshotFailed("cannot create a staging directory: \(error.localizedDescription)")
        }
        return directory
    }

    /// Removes uploads and snapshots a stopped process left half written.
    public func removeStaging() {
        try? FileManager.default.removeItem(at: root.appending(path: ".staging", directoryHint: .isDirectory))
    }

    static func isSnapshotName(_ name: String) -> Bool {
        name.hasSuffix(suffix) && !name.hasPrefix(".") && !name.contains("/") && name.count > suffix.count
    }
}
