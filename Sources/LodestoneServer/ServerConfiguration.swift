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
    /// Most results one query may ask for (limit + offset).
    public var maxResultWindow: Int = 10_000
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

    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port
        case dataDirectory = "data"
        case maxBodyBytes = "max_body_bytes"
        case maxBatchPoints = "max_batch_points"
        case maxResultWindow = "max_result_window"
        case loadDemo = "demo"
        case demoModelDirectory = "demo_model"
        case models
        case apiKey = "api_key"
        case readOnlyAPIKey = "read_only_api_key"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ServerConfiguration()
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
        dataDirectory = try container.decodeIfPresent(String.self, forKey: .dataDirectory) ?? defaults.dataDirectory
        maxBodyBytes = try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? defaults.maxBodyBytes
        maxBatchPoints = try container.decodeIfPresent(Int.self, forKey: .maxBatchPoints) ?? defaults.maxBatchPoints
        maxResultWindow = try container.decodeIfPresent(Int.self, forKey: .maxResultWindow) ?? defaults.maxResultWindow
        loadDemo = try container.decodeIfPresent(Bool.self, forKey: .loadDemo) ?? defaults.loadDemo
        demoModelDirectory = try container.decodeIfPresent(String.self, forKey: .demoModelDirectory)
        models = try container.decodeIfPresent([String].self, forKey: .models) ?? []
        apiKey = try container.decodeIfPresent(String.self, forKey: .apiKey)
        readOnlyAPIKey = try container.decodeIfPresent(String.self, forKey: .readOnlyAPIKey)
    }

    /// Reads a JSON config file, then applies `LODESTONE_HOST`, `LODESTONE_PORT`, `LODESTONE_DATA`.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let file {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            configuration = try JSONDecoder().decode(ServerConfiguration.self, from: data)
        }
        if let host = environment["LODESTONE_HOST"] { configuration.host = host }
        if let port = environment["LODESTONE_PORT"].flatMap(Int.init) { configuration.port = port }
        if let data = environment["LODESTONE_DATA"] { configuration.dataDirectory = data }
        if let key = environment["LODESTONE_API_KEY"] { configuration.apiKey = key }
        if let key = environment["LODESTONE_READ_ONLY_API_KEY"] { configuration.readOnlyAPIKey = key }
        return configuration
    }
}
