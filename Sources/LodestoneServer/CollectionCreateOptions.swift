import Storage

/// Qdrant's create-collection options beyond the vectors and indexes. Each one is either met by
/// how a Lodestone collection is kept, or refused with what is supported instead: none is
/// accepted and dropped.
enum CollectionCreateOptions {
    /// Read by `CollectionRoutes.schema`.
    static let described: Set<String> = ["vectors", "sparse_vectors", "hnsw_config", "payload_schema", "embedding_model", "quantization_config"]
    /// Met as stated: one shard on one node; payloads in LMDB, which is on disk and paged in by
    /// the OS (both of Qdrant's placements); the change log is one LMDB table that followers
    /// truncate, so Qdrant's WAL segment sizes have nothing to size.
    static let met: Set<String> = ["shard_number", "replication_factor", "write_consistency_factor", "on_disk_payload", "wal_config"]

    static func check(_ body: JSONFields) throws {
        if body["optimizers_config"].map({ !$0.isNull }) == true {
            throw APIError.badRequest("`optimizers_config` is not supported: points are indexed as they are written, and rebuilds are lifecycle builds (`POST /collections/{name}/builds`)")
        }
        try body.refuseUnknown(allowed: described.union(met))
        for key in ["shard_number", "replication_factor", "write_consistency_factor"] {
            if let value = try body.int(key), value != 1 {
                throw APIError.badRequest("`\(key)` must be 1: Lodestone serves each collection as one shard on one node, got \(value)")
            }
        }
        if let wal = try body.object("wal_config") {
            try wal.refuseUnknown(allowed: ["wal_capacity_mb", "wal_segments_ahead"])
        }
        if let hnsw = try body.object("hnsw_config") { try checkHNSW(hnsw) }
    }

    /// `quantization_config`: Qdrant's scalar int8 (`{"scalar": {"type": "int8", "quantile",
    /// "always_ram"}}`) or binary one-bit (`{"binary": {"encoding": "one_bit", "always_ram"}}`);
    /// product quantization and the other binary encodings are refused by name.
    static func quantization(_ config: JSONFields?) throws -> QuantizationSettings? {
        guard let config else { return nil }
        try config.refuseUnknown(allowed: ["scalar", "binary", "product"])
        if config["product"] != nil {
            throw APIError.badRequest("`quantization_config.product` is not supported; use {\"scalar\": {\"type\": \"int8\"}} or {\"binary\": {}}")
        }
        if let binary = try config.object("binary") {
            guard config["scalar"] == nil else { throw APIError.badRequest("`quantization_config` takes one of `scalar` and `binary`, not both") }
            return try binaryQuantization(binary)
        }
        guard let scalar = try config.object("scalar") else {
            throw APIError.badRequest("`quantization_config` must be {\"scalar\": {\"type\": \"int8\", \"quantile\": 0.99, \"always_ram\": true}} or {\"binary\": {\"always_ram\": true}}")
        }
        try scalar.refuseUnknown(allowed: ["type", "quantile", "always_ram"])
        let type = try scalar.requireString("type")
        guard type == "int8" else {
            throw APIError.badRequest("`quantization_config.scalar.type` must be int8, got `\(type)`")
        }
        try requireInMemory(scalar)
        let settings = QuantizationSettings(kind: .scalar, quantile: try scalar.double("quantile") ?? 1)
        if let problem = settings.problem() { throw APIError.badRequest("`quantization_config.scalar`: \(problem)") }
        return settings
    }

    /// The settings as `quantization_config` shows them in the collection's info.
    static func describe(_ settings: QuantizationSettings) -> JSONValue {
        switch settings.kind {
        case .scalar: ["scalar": ["type": "int8", "quantile": .double(settings.quantile), "always_ram": true]]
        case .binary: ["binary": ["always_ram": true, "encoding": "one_bit",
                                  "query_encoding": .string(settings.queryEncoding == .binary ? "default" : settings.queryEncoding.rawValue)]]
        }
    }

    private static func binaryQuantization(_ binary: JSONFields) throws -> QuantizationSettings {
        try binary.refuseUnknown(allowed: ["always_ram", "memory", "encoding", "query_encoding"])
        try requireInMemory(binary)
        if let encoding = try binary.string("encoding"), encoding != "one_bit" {
            throw APIError.badRequest("`quantization_config.binary.encoding` \(encoding) is not supported; one_bit is")
        }
        switch try binary.string("query_encoding") ?? "default" {
        case "default", "binary": return .binary()
        case "scalar4bits": return .binary(queryEncoding: .scalar4bits)
        case "scalar8bits": return .binary(queryEncoding: .scalar8bits)
        case let other:
            throw APIError.badRequest("`quantization_config.binary.query_encoding` must be default, binary, scalar4bits or scalar8bits, got \(other)")
        }
    }

    /// Codes are always held in memory, beside the graph: `always_ram` false or `memory` other
    /// than ram would be a placement this server does not make.
    private static func requireInMemory(_ fields: JSONFields) throws {
        guard try fields.bool("always_ram", default: true) else {
            throw APIError.badRequest("`always_ram` false in \(fields.context) is not supported: the codes are always held in memory, beside the graph")
        }
        if let memory = try fields.string("memory"), memory != "ram" {
            throw APIError.badRequest("`memory` \(memory) in \(fields.context) is not supported: the codes are always held in memory (ram)")
        }
    }

    /// The `hnsw_config` keys beyond those `denseVector` reads (`m`, `ef_construct`, `ef`,
    /// `full_scan_threshold`).
    static func checkHNSW(_ hnsw: JSONFields) throws {
        try hnsw.refuseUnknown(allowed: ["m", "ef_construct", "ef", "full_scan_threshold", "on_disk", "max_indexing_threads"])
        if try hnsw.bool("on_disk", default: false) {
            throw APIError.badRequest("`on_disk` true in \(hnsw.context) is not supported: the graph is held in memory (its image is stored in LMDB)")
        }
        if let threads = try hnsw.int("max_indexing_threads"), threads != 0 {
            throw APIError.badRequest("`max_indexing_threads` in \(hnsw.context) must be 0 (all cores, as index builds run), got \(threads)")
        }
    }
}
