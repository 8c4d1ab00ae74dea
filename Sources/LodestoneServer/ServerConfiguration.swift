import Foundation

/// Everything `lodestone serve` can be told, from flags, `LODESTONE_*` environment variables
/// or a JSON config file (flags win over the environment, which wins over the file).
public struct ServerConfiguration: Sendable, Codable, Equatable {
    public var host: String = "127.0.0.1"
    public var port: Int = 6333
    public var dataDirectory: String = "./data"
    /// Largest accepted request body.
    public var maxBodyBytes: Int = 32 << 20
    /// Most points one upsert may carry.
    public var maxBatchPoints: Int = 10_000
    /// Search work one request may ask for (see `SearchWorkBudget`): graph candidates summed
    /// over a batch's searches and prefetches, and points scanned by its exact searches.
    public var maxSearchCandidates: Int = 2_000_000
    public var maxExactScanPoints: Int = 50_000_000
    /// Most results one query may ask for (limit + offset).
    public var maxResultWindow: Int = 10_000
    /// Threads answering searches (default: one per core) and searches that may wait for one.
    public var searchThreads: Int = ProcessInfo.processInfo.activeProcessorCount
    public var searchQueue: Int = 256
    /// Threads committing writes (mostly waiting for a shared fsync or the index, so more than
    /// the cores: more writers in flight share each sync) and writes that may wait for one.
    public var writeThreads: Int = 8
    public var writeQueue: Int = 64
    /// A collection's serving index image is stored after this many applied changes, or after
    /// `indexImageSeconds` once anything changed, bounding the replay after a crash.
    public var indexImageChanges: Int = 10_000
    public var indexImageSeconds: Double = 60
    /// Logged changes a `wait=false` write may leave for the index before it waits for the
    /// index too: bounds search staleness and the replay after a crash.
    public var indexBacklog: Int = 20_000
    /// `GET /telemetry/series` keeps one sample per this many seconds, for this long.
    public var telemetryIntervalSeconds: Double = 10
    public var telemetryRetentionSeconds: Double = 6 * 3_600
    /// Load the small demo collection when it is missing.
    public var loadDemo: Bool = false
    /// Directory of the model used to embed the demo collection's texts.
    public var demoModelDirectory: String?
    /// Model directories to serve (`DIR` or `NAME=DIR`).
    public var models: [String] = []
    /// The key that may read and write; nil leaves the API open.
    public var apiKey: String?
    /// The key that may only read.
    public var readOnlyAPIKey: String?
    /// Also accept JWTs signed (HS256) with the API key, whose claims grant access (Qdrant's RBAC).
    public var jwt: Bool = false
    /// The one directory whose contents HTTP callers may name by server path (model
    /// directories, evaluation datasets); nil: only uploads, and the CLI, can bring them in.
    public var artifactsImportRoot: String?
    /// Largest model upload (a tar stream) accepted over HTTP.
    public var maxUploadBytes: Int = 1 << 30
    /// Where collection snapshots are written, and the only place a `file://` recovery may
    /// read from; nil: `snapshots/` next to the data directory's contents (`DATA/snapshots`).
    public var snapshotsDirectory: String?
    /// Largest snapshot upload (`POST .../snapshots/upload`), streamed to disk, not memory.
    public var maxSnapshotUploadBytes: Int = 64 << 30
    /// PEM certificate chain and private key: serve HTTPS instead of HTTP.
    public var tlsCertificate: String?
    public var tlsKey: String?

    public init() {}

    /// The snapshots directory in force.
    public var snapshotsURL: URL {
        snapshotsDirectory.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: dataDirectory).appending(path: "snapshots", directoryHint: .isDirectory)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port
        case dataDirectory = "data"
        case maxBodyBytes = "max_body_bytes"
        case maxBatchPoints = "max_batch_points"
        case maxSearchCandidates = "max_search_candidates"
        case maxExactScanPoints = "max_exact_scan_points"
        case maxResultWindow = "max_result_window"
        case searchThreads = "search_threads"
        case searchQueue = "search_queue"
        case writeThreads = "write_threads"
        case writeQueue = "write_queue"
        case indexImageChanges = "index_image_changes"
        case indexImageSeconds = "index_image_seconds"
        case indexBacklog = "index_backlog"
        case telemetryIntervalSeconds = "telemetry_interval_seconds"
        case telemetryRetentionSeconds = "telemetry_retention_seconds"
        case loadDemo = "demo"
        case demoModelDirectory = "demo_model"
        case models
        case apiKey = "api_key"
        case readOnlyAPIKey = "read_only_api_key"
        case jwt
        case artifactsImportRoot = "artifacts_import_root"
        case maxUploadBytes = "max_upload_bytes"
        case snapshotsDirectory = "snapshots_path"
        case maxSnapshotUploadBytes = "max_snapshot_upload_bytes"
        case tlsCertificate = "tls_cert"
        case tlsKey = "tls_key"
    }

    /// Any key of the file, to find the ones no setting has.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        // A misspelt setting must not be silently ignored: the server would run with the default.
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).filter({ !known.contains($0) }).sorted().first {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "unknown setting `\(unknown)`; the settings are \(known.sorted().joined(separator: ", "))"))
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ServerConfiguration()
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
        dataDirectory = try container.decodeIfPresent(String.self, forKey: .dataDirectory) ?? defaults.dataDirectory
        maxBodyBytes = try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? defaults.maxBodyBytes
        maxBatchPoints = try container.decodeIfPresent(Int.self, forKey: .maxBatchPoints) ?? defaults.maxBatchPoints
        maxSearchCandidates = try container.decodeIfPresent(Int.self, forKey: .maxSearchCandidates) ?? defaults.maxSearchCandidates
        maxExactScanPoints = try container.decodeIfPresent(Int.self, forKey: .maxExactScanPoints) ?? defaults.maxExactScanPoints
        guard maxSearchCandidates >= 100_000, maxExactScanPoints >= 100_000 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "max_search_candidates and max_exact_scan_points must be at least 100000"))
        }
        maxResultWindow = try container.decodeIfPresent(Int.self, forKey: .maxResultWindow) ?? defaults.maxResultWindow
        searchThreads = try container.decodeIfPresent(Int.self, forKey: .searchThreads) ?? defaults.searchThreads
        searchQueue = try container.decodeIfPresent(Int.self, forKey: .searchQueue) ?? defaults.searchQueue
        writeThreads = try container.decodeIfPresent(Int.self, forKey: .writeThreads) ?? defaults.writeThreads
        writeQueue = try container.decodeIfPresent(Int.self, forKey: .writeQueue) ?? defaults.writeQueue
        guard searchThreads >= 1, searchQueue >= 1, writeThreads >= 1, writeQueue >= 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "search_threads, search_queue, write_threads and write_queue must be at least 1"))
        }
        indexImageChanges = try container.decodeIfPresent(Int.self, forKey: .indexImageChanges) ?? defaults.indexImageChanges
        indexImageSeconds = try container.decodeIfPresent(Double.self, forKey: .indexImageSeconds) ?? defaults.indexImageSeconds
        guard indexImageChanges >= 1, indexImageSeconds > 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "index_image_changes must be at least 1 and index_image_seconds above 0"))
        }
        indexBacklog = try container.decodeIfPresent(Int.self, forKey: .indexBacklog) ?? defaults.indexBacklog
        guard indexBacklog >= 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "index_backlog must be at least 1"))
        }
        telemetryIntervalSeconds = try container.decodeIfPresent(Double.self, forKey: .telemetryIntervalSeconds) ?? defaults.telemetryIntervalSeconds
        telemetryRetentionSeconds = try container.decodeIfPresent(Double.self, forKey: .telemetryRetentionSeconds) ?? defaults.telemetryRetentionSeconds
        guard telemetryIntervalSeconds >= 0.1, telemetryIntervalSeconds <= 3_600, telemetryRetentionSeconds >= telemetryIntervalSeconds,
              telemetryRetentionSeconds / telemetryIntervalSeconds <= 100_000 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "telemetry_interval_seconds must be 0.1 to 3600, and telemetry_retention_seconds at least one interval and at most 100,000 of them"))
        }
        loadDemo = try container.decodeIfPresent(Bool.self, forKey: .loadDemo) ?? defaults.loadDemo
        demoModelDirectory = try container.decodeIfPresent(String.self, forKey: .demoModelDirectory)
        models = try container.decodeIfPresent([String].self, forKey: .models) ?? []
        apiKey = try container.decodeIfPresent(String.self, forKey: .apiKey)
        readOnlyAPIKey = try container.decodeIfPresent(String.self, forKey: .readOnlyAPIKey)
        jwt = try container.decodeIfPresent(Bool.self, forKey: .jwt) ?? false
        artifactsImportRoot = try container.decodeIfPresent(String.self, forKey: .artifactsImportRoot)
        maxUploadBytes = try container.decodeIfPresent(Int.self, forKey: .maxUploadBytes) ?? defaults.maxUploadBytes
        guard maxUploadBytes >= 1 << 20 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "max_upload_bytes must be at least 1 MiB"))
        }
        snapshotsDirectory = try container.decodeIfPresent(String.self, forKey: .snapshotsDirectory)
        maxSnapshotUploadBytes = try container.decodeIfPresent(Int.self, forKey: .maxSnapshotUploadBytes) ?? defaults.maxSnapshotUploadBytes
        guard maxSnapshotUploadBytes >= 1 << 20 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "max_snapshot_upload_bytes must be at least 1 MiB"))
        }
        tlsCertificate = try container.decodeIfPresent(String.self, forKey: .tlsCertificate)
        tlsKey = try container.decodeIfPresent(String.self, forKey: .tlsKey)
    }

    /// The access settings, wherever they came from (file, environment or flags): an empty key
    /// would let an empty header in, and tokens need a key to be signed with.
    public func validateAccess() throws(AccessConfigurationError) {
        if let apiKey, apiKey.trimmingCharacters(in: .whitespaces).isEmpty { throw .emptyKey("api_key") }
        if let readOnlyAPIKey, readOnlyAPIKey.trimmingCharacters(in: .whitespaces).isEmpty { throw .emptyKey("read_only_api_key") }
        if let apiKey, apiKey == readOnlyAPIKey { throw .sameKeys }
        if jwt, apiKey == nil { throw .tokensWithoutKey }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw .halfTLS }
    }

    /// Reads a JSON config file, then applies `LODESTONE_HOST`, `LODESTONE_PORT`, `LODESTONE_DATA`.
    /// What is wrong with a config file, in words (the decoder's own text names Swift types).
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.isEmpty ? "" : "`\(context.codingPath.map(\.stringValue).joined(separator: "."))`: "
        }
        switch error {
        case let .dataCorrupted(context): return path(context) + context.debugDescription
        case let .typeMismatch(_, context), let .valueNotFound(_, context): return path(context) + "wrong type of value (\(context.debugDescription))"
        case let .keyNotFound(key, _): return "missing `\(key.stringValue)`"
        @unknown default: return "\(error)"
        }
    }

    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let file {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            do {
                configuration = try JSONDecoder().decode(ServerConfiguration.self, from: data)
            } catch let error as DecodingError {
                throw ConfigurationFileError(file: file, reason: Self.describe(error))
            }
        }
        if let host = environment["LODESTONE_HOST"] { configuration.host = host }
        if let port = environment["LODESTONE_PORT"].flatMap(Int.init) { configuration.port = port }
        if let data = environment["LODESTONE_DATA"] { configuration.dataDirectory = data }
        if let key = environment["LODESTONE_API_KEY"] { configuration.apiKey = key }
        if let key = environment["LODESTONE_READ_ONLY_API_KEY"] { configuration.readOnlyAPIKey = key }
        return configuration
    }
}

/// Access settings that cannot be served safely.
public enum AccessConfigurationError: Error, CustomStringConvertible {
    case emptyKey(String)
    case sameKeys
    case tokensWithoutKey
    case halfTLS

    public var description: String {
        switch self {
        case .emptyKey(let setting): "\(setting) is empty; give a secret or leave the setting out"
        case .sameKeys: "api_key and read_only_api_key are the same; the read-only key must differ from the API key"
        case .tokensWithoutKey: "jwt needs api_key: tokens are signed with the API key"
        case .halfTLS: "tls_cert and tls_key go together: give both PEM files, or neither for plain HTTP"
        }
    }
}

/// A config file that cannot be used, and why.
public struct ConfigurationFileError: Error, CustomStringConvertible {
    public var file: String
    public var reason: String
    public var description: String { "config file \(file): \(reason)" }
}
