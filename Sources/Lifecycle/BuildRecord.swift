import Foundation
import Storage

/// An immutable, numbered version of a collection's index and what is known about it.
public struct BuildRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case building, ready, failed, retired
    }

    public var collection: String
    public var number: Int
    /// The embedding model the vectors come from (`name@version`), nil for stored vectors.
    public var model: String?
    public var m: Int
    public var efConstruction: Int
    public var ef: Int
    /// The change-log sequence number the build started from.
    public var fromSequence: UInt64
    /// The last change-log sequence number applied to the build's index.
    public var appliedSequence: UInt64
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?
    public var buildSeconds: Double?
    public var catchUpSeconds: Double?
    public var points: Int
    public var recall: RecallReport?
    /// The serving build measured on the same queries when this build was checked.
    public var production: ProductionComparison?
    public var embedSeconds: Double?
    public var failure: String?
    /// The codes the build serves with. nil for a build begun without its own (and records
    /// made before builds carried them): it serves with the collection's setting when switched
    /// to, and what it served with is recorded here when it is switched away from.
    public var quantization: BuildQuantization?

    public var id: String { LifecycleContext.buildID(collection, number) }

    /// The quantization the build serves with, the collection's `setting` when the record
    /// predates builds carrying their own.
    public func servingQuantization(collectionSetting setting: QuantizationSettings?) -> QuantizationSettings? {
        quantization.map(\.settings) ?? setting
    }

    enum CodingKeys: String, CodingKey {
        case collection, number, model, m, ef, status, points, recall, failure, production, quantization
        case embedSeconds = "embed_seconds"
        case efConstruction = "ef_construct"
        case fromSequence = "from_sequence"
        case appliedSequence = "applied_sequence"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case buildSeconds = "build_seconds"
        case catchUpSeconds = "catch_up_seconds"
    }
}

/// Whether a build's dense graphs walk on codes, and which: `"none"`, or the settings.
public enum BuildQuantization: Codable, Sendable, Equatable {
    case none
    case quantized(QuantizationSettings)

    public init(_ settings: QuantizationSettings?) { self = settings.map(Self.quantized) ?? .none }

    public var settings: QuantizationSettings? {
        if case .quantized(let settings) = self { return settings }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let word = try? container.decode(String.self), word == "none" { self = .none; return }
        self = .quantized(try container.decode(QuantizationSettings.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .none: try container.encode("none")
        case .quantized(let settings): try container.encode(settings)
        }
    }
}

/// The recall-regression measurement stored with every build.
public struct RecallReport: Codable, Sendable, Equatable {
    public var k: Int
    public var ef: Int
    public var queries: Int
    /// Where the queries came from: "query_log" or "held_out_vectors".
    public var querySource: String
    public var recall: Double
    public var latencyP50Milliseconds: Double
    public var latencyP99Milliseconds: Double

    public init(k: Int, ef: Int, queries: Int, querySource: String, recall: Double, latencyP50Milliseconds: Double, latencyP99Milliseconds: Double) {
        self.k = k
        self.ef = ef
        self.queries = queries
        self.querySource = querySource
        self.recall = recall
        self.latencyP50Milliseconds = latencyP50Milliseconds
        self.latencyP99Milliseconds = latencyP99Milliseconds
    }

    enum CodingKeys: String, CodingKey {
        case k, ef, queries, recall
        case querySource = "query_source"
        case latencyP50Milliseconds = "latency_p50_ms"
        case latencyP99Milliseconds = "latency_p99_ms"
    }
}

/// The production build's recall on the queries a new build was checked with.
public struct ProductionComparison: Codable, Sendable, Equatable {
    public var build: Int
    public var model: String?
    public var recall: Double
    public var latencyP99Milliseconds: Double

    enum CodingKeys: String, CodingKey {
        case build, model, recall
        case latencyP99Milliseconds = "latency_p99_ms"
    }
}
