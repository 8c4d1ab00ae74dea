import Foundation

/// Where a registered model version stands in its rollout.
public enum ModelStage: String, Codable, Sendable, CaseIterable {
    case none
    case candidate
    case production
    case archived
}

/// One registered embedding model version: what it is, where its files are, who registered it.
public struct ModelRecord: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    /// Hex SHA-256 of `model.safetensors`: the identity of the weights.
    public var weightsSHA256: String
    public var architecture: String
    public var dimension: Int
    public var layers: Int
    public var pooling: String
    public var normalizes: Bool
    public var maxTokens: Int
    /// The directory the model was registered from. Nothing reads it after registration when
    /// `digest` is set: the files are served from the artifact store.
    public var path: String
    /// SHA-256 of the manifest of every file that determines the embeddings (see
    /// `ArtifactManifest`); the version's identity. Nil for versions registered before the
    /// artifact store, which still load from `path`.
    public var digest: String?
    public var registeredAt: Date
    public var registeredBy: String
    public var stage: ModelStage

    public var reference: String { "\(name)@\(version)" }

    enum CodingKeys: String, CodingKey {
        case name, version, architecture, dimension, layers, pooling, normalizes, path, stage, digest
        case weightsSHA256 = "weights_sha256"
        case maxTokens = "max_tokens"
        case registeredAt = "registered_at"
        case registeredBy = "registered_by"
    }

    /// Splits `name@version`, refusing anything else.
    public static func parse(reference: String) throws -> (name: String, version: String) {
        let parts = reference.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw RegistryError.invalidReference(reference)
        }
        return (String(parts[0]), String(parts[1]))
    }
}

public enum RegistryError: Error, Equatable, CustomStringConvertible {
    case invalidReference(String)
    case invalidName(String)
    case modelNotFound(String)
    case differentWeights(reference: String, registered: String, offered: String)
    case differentManifest(reference: String, registered: String, offered: String)
    case differentDataset(reference: String, registered: String, offered: String)
    case datasetNotFound(String)
    case inUse(reference: String, collections: [String])

    public var description: String {
        switch self {
        case let .invalidReference(reference): "model reference `\(reference)` must be written NAME@VERSION"
        case let .invalidName(name): "`\(name)` is not a valid model name or version: use letters, digits, '_', '.' and '-'"
        case let .modelNotFound(reference): "model `\(reference)` is not registered"
        case let .differentWeights(reference, registered, offered):
            "`\(reference)` is already registered with weights \(registered.prefix(12))…; these weights are \(offered.prefix(12))…: register them under a new version"
        case let .differentManifest(reference, registered, offered):
            "`\(reference)` is already registered with digest \(registered); these files have digest \(offered) (weights, configuration, tokenizer or pooling differ): register them under a new version"
        case let .differentDataset(reference, registered, offered):
            "dataset `\(reference)` is already registered with digest \(registered); these files have digest \(offered): register them under a new version"
        case let .datasetNotFound(reference): "dataset `\(reference)` is not registered (`lodestone datasets register DIR --name N --version V`)"
        case let .inUse(reference, collections):
            "`\(reference)` is used by collection(s) \(collections.joined(separator: ", ")); rebind them before deleting it"
        }
    }
}
