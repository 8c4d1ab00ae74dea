import Foundation

public enum Distance: String, Sendable, Hashable, Codable, CaseIterable {
    case cosine
    case dot
    case euclid
}

public struct HNSWSettings: Sendable, Hashable, Codable {
    /// Neighbours per node on upper layers (twice that on layer 0).
    public var m: Int
    public var efConstruction: Int
    /// Default search breadth when a query names none.
    public var ef: Int
    /// Qdrant's `full_scan_threshold`, in kilobytes of vectors: a filter whose matches hold
    /// fewer vector bytes than this is answered by an exact scan of those matches, a larger one
    /// by the graph walk with the filter checked at each node.
    public var fullScanThreshold: Int

    public static let defaultFullScanThreshold = 10_000
    /// The one definition of the accepted ranges: the HTTP API, the CLI, builds and stored
    /// schemas are all checked against these, and the index accepts exactly these (a test
    /// holds `HNSWParameters.validate` to them), so a stored collection can always open.
    public static let mRange = 2 ... 255
    public static let efConstructionRange = 1 ... 100_000
    public static let efRange = 1 ... 100_000

    /// Why these settings cannot build a graph, naming the setting as the HTTP API does.
    public func problem() -> String? {
        if !Self.mRange.contains(m) { return "`m` must be between \(Self.mRange.lowerBound) and \(Self.mRange.upperBound), got \(m)" }
        if !Self.efConstructionRange.contains(efConstruction) {
            return "`ef_construct` must be between \(Self.efConstructionRange.lowerBound) and \(Self.efConstructionRange.upperBound), got \(efConstruction)"
        }
        if !Self.efRange.contains(ef) { return "`ef` must be between \(Self.efRange.lowerBound) and \(Self.efRange.upperBound), got \(ef)" }
        return nil
    }

    public init(m: Int = 16, efConstruction: Int = 200, ef: Int = 64, fullScanThreshold: Int = HNSWSettings.defaultFullScanThreshold) {
        self.m = m
        self.efConstruction = efConstruction
        self.ef = ef
        self.fullScanThreshold = fullScanThreshold
    }

    /// The most matches of a filter answered by an exact scan for `dimension`-float vectors.
    public func exactScanLimit(dimension: Int) -> Int {
        fullScanThreshold * 1024 / max(1, dimension * MemoryLayout<Float>.size)
    }

    private enum CodingKeys: String, CodingKey {
        case m, efConstruction, ef, fullScanThreshold
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        m = try container.decode(Int.self, forKey: .m)
        efConstruction = try container.decode(Int.self, forKey: .efConstruction)
        ef = try container.decode(Int.self, forKey: .ef)
        // Schemas stored before the setting existed plan with Qdrant's default.
        fullScanThreshold = try container.decodeIfPresent(Int.self, forKey: .fullScanThreshold) ?? Self.defaultFullScanThreshold
    }
}

/// Everything that defines a collection. Stored with a magic and version in the collection's
/// own environment (authoritative) and mirrored in the catalog.
public struct CollectionSchema: Sendable, Hashable, Codable {
    public static let dimensionRange = 1 ... 65_536
    public static let maximumNameLength = 255

    public var name: String
    /// The primary dense vector: the one the lifecycle builds, gates and binds a model to.
    public var dimension: Int
    public var distance: Distance
    public var hnsw: HNSWSettings
    /// The primary vector's `on_disk` (see `DenseVectorConfiguration.onDisk`).
    public var vectorsOnDisk: Bool?
    /// nil when the collection was created with Qdrant's unnamed form (`vectors: {size,
    /// distance}`); otherwise the name of the primary dense vector in the named form.
    public var vectorName: String?
    /// Dense vectors beyond the primary one, by name (named form only).
    public var namedVectors: [String: DenseVectorConfiguration]
    /// Sparse vectors by name.
    public var sparseVectors: [String: SparseVectorConfiguration]
    /// Embedding model bound to the collection, as `name@version`.
    public var embeddingModel: String?
    /// Payload indexes by field path (`a.b`, `items[].sku`).
    public var payloadIndexes: [String: PayloadIndexType]
    /// Scalar quantization of the dense vectors; nil searches on the float vectors only.
    public var quantization: QuantizationSettings?
    public var createdAt: Date

    public init(
        name: String,
        dimension: Int,
        distance: Distance,
        hnsw: HNSWSettings = HNSWSettings(),
        embeddingModel: String? = nil,
        payloadIndexes: [String: PayloadIndexType] = [:],
        createdAt: Date = Date(),
        vectorName: String? = nil,
        namedVectors: [String: DenseVectorConfiguration] = [:],
        sparseVectors: [String: SparseVectorConfiguration] = [:],
        quantization: QuantizationSettings? = nil,
        vectorsOnDisk: Bool? = nil
    ) {
        self.quantization = quantization
        self.vectorsOnDisk = vectorsOnDisk
        self.name = name
        self.dimension = dimension
        self.distance = distance
        self.hnsw = hnsw
        self.vectorName = vectorName
        self.namedVectors = namedVectors
        self.sparseVectors = sparseVectors
        self.embeddingModel = embeddingModel
        self.payloadIndexes = payloadIndexes
        // Whole milliseconds, so a schema read back compares equal to the one written.
        self.createdAt = Date(timeIntervalSince1970: (createdAt.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    public static func validateName(_ name: String) throws {
        guard !name.isEmpty else {
            throw StorageError.invalidCollectionName(name, reason: "it is empty")
        }
        guard name.utf8.count <= maximumNameLength else {
            throw StorageError.invalidCollectionName(name, reason: "it is longer than \(maximumNameLength) characters")
        }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_.-".unicodeScalars.contains(scalar))
        }
        guard allowed else {
            throw StorageError.invalidCollectionName(name, reason: "use only letters, digits, '_', '.' and '-'")
        }
        // "." and ".." would name the collections directory itself or its parent.
        guard name != ".", name != ".." else {
            throw StorageError.invalidCollectionName(name, reason: "'.' and '..' are reserved")
        }
    }

    public func validate() throws {
        try Self.validateName(name)
        guard Self.dimensionRange.contains(dimension) || (dimension == 0 && vectorName != nil && namedVectors.isEmpty && !sparseVectors.isEmpty) else {
            throw StorageError.invalidSchema("dimension \(dimension) is outside \(Self.dimensionRange)")
        }
        if let problem = hnsw.problem() { throw StorageError.invalidSchema("HNSW \(problem)") }
        if let problem = quantization?.problem() { throw StorageError.invalidSchema("scalar quantization: \(problem)") }
        if let model = embeddingModel {
            let parts = model.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw StorageError.invalidSchema("embedding model '\(model)' must be written name@version")
            }
        }
        for (field, type) in payloadIndexes {
            _ = try PayloadPath(parsing: field, forIndex: true)
            if case .text(let tokenizer) = type { try tokenizer.validate(field: field) }
        }
        if vectorName == nil, !(namedVectors.isEmpty && sparseVectors.isEmpty) {
            throw StorageError.invalidSchema("named and sparse vectors need the named form (`vectorName`)")
        }
        for (vector, configuration) in namedVectors {
            guard vector != vectorName else { throw StorageError.invalidSchema("vector `\(vector)` is named twice") }
            guard Self.dimensionRange.contains(configuration.dimension) else {
                throw StorageError.invalidSchema("vector `\(vector)`: dimension \(configuration.dimension) is outside \(Self.dimensionRange)")
            }
            if let problem = configuration.hnsw.problem() { throw StorageError.invalidSchema("vector `\(vector)`: HNSW \(problem)") }
        }
        for vector in sparseVectors.keys where vector == vectorName || namedVectors[vector] != nil {
            throw StorageError.invalidSchema("vector `\(vector)` is both dense and sparse")
        }
    }

    /// Every vector name, dense ones first, each group sorted.
    public var vectorNames: [String] {
        ((hasDenseVector ? [vectorName].compactMap { $0 } : []) + namedVectors.keys.sorted()) + sparseVectors.keys.sorted()
    }

    /// False for a collection of sparse vectors only (dimension 0): it has no primary dense
    /// vector, so there is nothing for builds, gates or a model binding to work on.
    public var hasDenseVector: Bool { dimension > 0 }

    /// The dimension of the primary HNSW index; a sparse-only collection keeps an empty
    /// one-dimensional index so every build has the same shape.
    public var indexDimension: Int { max(dimension, 1) }

    /// The dense configuration of `name` (the primary's when it is the primary), or nil.
    public func dense(_ name: String) -> DenseVectorConfiguration? {
        if name == (vectorName ?? "") {
            return hasDenseVector ? DenseVectorConfiguration(dimension: dimension, distance: distance, hnsw: hnsw, onDisk: vectorsOnDisk) : nil
        }
        return namedVectors[name]
    }

    /// The name a query's `using` resolves to when it names none: the primary vector.
    public var primaryVectorName: String { vectorName ?? "" }

    private enum CodingKeys: String, CodingKey {
        case name, dimension, distance, hnsw, embeddingModel, payloadIndexes, createdAt, vectorName, namedVectors, sparseVectors, quantization, vectorsOnDisk
    }

    /// Schemas stored before named and sparse vectors existed decode with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        dimension = try container.decode(Int.self, forKey: .dimension)
        distance = try container.decode(Distance.self, forKey: .distance)
        hnsw = try container.decode(HNSWSettings.self, forKey: .hnsw)
        embeddingModel = try container.decodeIfPresent(String.self, forKey: .embeddingModel)
        payloadIndexes = try container.decode([String: PayloadIndexType].self, forKey: .payloadIndexes)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        vectorName = try container.decodeIfPresent(String.self, forKey: .vectorName)
        namedVectors = try container.decodeIfPresent([String: DenseVectorConfiguration].self, forKey: .namedVectors) ?? [:]
        sparseVectors = try container.decodeIfPresent([String: SparseVectorConfiguration].self, forKey: .sparseVectors) ?? [:]
        quantization = try container.decodeIfPresent(QuantizationSettings.self, forKey: .quantization)
        vectorsOnDisk = try container.decodeIfPresent(Bool.self, forKey: .vectorsOnDisk)
    }
}
