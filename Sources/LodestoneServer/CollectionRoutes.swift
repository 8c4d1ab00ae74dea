import Embeddings
import Hummingbird
import Lifecycle
import Storage

/// `/collections...`: create, inspect, list, check, delete, payload indexes.
struct CollectionRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .get, "/collections") { _, _ in
            // As in Qdrant, a token scoped to some collections lists only those.
            let grant = AccessGrant.current
            let names = try routes.engine.collectionNames().filter(grant.mayRead(collection:))
            return ["collections": .array(names.map { .object(["name": .string($0)]) })]
        }
        routes.on(router, .put, "/collections/{name}") { request, context in
            let name = try context.parameters.require("name")
            let schema = try Self.schema(name: name, from: try await routes.fields(request), models: routes.models)
            _ = try routes.engine.createCollection(schema)
            return true
        }
        routes.on(router, .get, "/collections/{name}") { _, context in
            try Self.info(try routes.collection(context))
        }
        routes.on(router, .get, "/collections/{name}/exists") { _, context in
            let name = try context.parameters.require("name")
            return ["exists": .bool(try routes.engine.collectionExists(try routes.engine.resolve(name)))]
        }
        routes.on(router, .delete, "/collections/{name}") { _, context in
            // Qdrant answers `false` for a missing collection; clients' recreate flows rely on it.
            .bool(try routes.engine.deleteCollection(named: try context.parameters.require("name")))
        }
        routes.on(router, .put, "/collections/{name}/index") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            let field = try body.requireString("field_name")
            let type = try Self.payloadIndexType(body["field_schema"])
            try routes.engine.addPayloadIndex(collection: serving.name, field: field, type: type)
            return ["operation_id": .int(Int64(serving.lastAppliedSequence)), "status": "completed"]
        }
        routes.on(router, .delete, "/collections/{name}/index/{field}") { _, context in
            let serving = try routes.collection(context)
            try routes.engine.dropPayloadIndex(collection: serving.name, field: try context.parameters.require("field"))
            return ["operation_id": .int(Int64(serving.lastAppliedSequence)), "status": "completed"]
        }
        routes.on(router, .post, "/collections/{name}/facet") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            try body.refuseUnknown(allowed: ["key", "filter", "limit", "exact", "shard_key"])
            let field = try body.requireString("key"), filter = try body.filter()
            let limit = try body.int("limit", default: 10, range: 1 ... routes.configuration.maxResultWindow)!
            let hits = try await routes.search(request) { try serving.facet(field: field, filter: filter, limit: limit) }
            return ["hits": .array(hits.map { ["value": $0.value, "count": .int(Int64($0.count))] })]
        }
    }

    /// Reads Qdrant's create-collection body: `vectors` as `{size, distance}` (the unnamed
    /// form) or a map of named dense vectors, each with its own `hnsw_config`, and
    /// `sparse_vectors` as a map of names to `{modifier, index}`.
    static func schema(name: String, from body: JSONFields, models: ServedModels) throws -> CollectionSchema {
        try CollectionCreateOptions.check(body)
        // Lodestone extension: `embedding_model` binds a served model to the primary vector; text
        // then stands in for vectors, and the size defaults to the model's dimension.
        var boundModel: (reference: String, dimension: Int)?
        if let reference = try body.string("embedding_model") {
            // A registered model (NAME@VERSION) or one the server was started with (--model DIR).
            guard let model = try models.resolve(reference) else {
                throw APIError.badRequest("`embedding_model` `\(reference)` is not served here (register it with `lodestone models register` or start the server with --model DIR)")
            }
            boundModel = (reference.contains("@") ? reference : "\(model.name)@default", model.embedder.dimension)
        }
        guard let vectors = body["vectors"] ?? boundModel.map({ _ in JSONValue.object(["distance": "Cosine"]) }) else {
            throw APIError.badRequest("missing `vectors` ({\"size\": N, \"distance\": \"Cosine\"})")
        }
        let collectionHNSW = try body.object("hnsw_config")
        let parameters = try JSONFields(vectors, context: "`vectors`")
        let sparse = try sparseVectors(try body.object("sparse_vectors"))
        var named: [String: DenseVectorConfiguration] = [:]
        let vectorName: String?
        if parameters["size"] != nil || parameters["distance"] != nil {
            vectorName = sparse.isEmpty ? nil : ""
            named[""] = try denseVector(parameters, collectionHNSW: collectionHNSW, defaultSize: boundModel?.dimension)
        } else {
            for (vector, value) in parameters.fields {
                // With one named vector, a bound model's dimension is the default size.
                named[vector] = try denseVector(try JSONFields(value, context: "`vectors.\(vector)`"), collectionHNSW: collectionHNSW,
                                                defaultSize: parameters.fields.count == 1 ? boundModel?.dimension : nil)
            }
            // The primary vector (the one builds, gates and a model binding concern): "" when
            // present, as LangChain names it, else the first name in order.
            if let primary = named[""] != nil ? "" : named.keys.sorted().first {
                vectorName = primary
            } else {
                guard !sparse.isEmpty else { throw APIError.badRequest("`vectors` names no vector and there are no `sparse_vectors`") }
                guard boundModel == nil else { throw APIError.badRequest("`embedding_model` fills a dense vector; this collection has none") }
                // Sparse vectors only: no primary dense vector (dimension 0).
                vectorName = ""
                named[""] = DenseVectorConfiguration(dimension: 0, distance: .dot)
            }
        }
        let primary = named.removeValue(forKey: vectorName ?? "")!
        if let boundModel, boundModel.dimension != primary.dimension {
            throw APIError.badRequest("`size` is \(primary.dimension) but `embedding_model` makes \(boundModel.dimension)-dimensional vectors")
        }
        var indexes: [String: PayloadIndexType] = [:]
        if let schema = try body.object("payload_schema") {
            for (field, type) in schema.fields { indexes[field] = try payloadIndexType(type) }
        }
        return CollectionSchema(name: name, dimension: primary.dimension, distance: primary.distance, hnsw: primary.hnsw,
                                embeddingModel: boundModel?.reference, payloadIndexes: indexes, vectorName: vectorName,
                                namedVectors: named, sparseVectors: sparse,
                                quantization: try CollectionCreateOptions.quantization(try body.object("quantization_config")),
                                vectorsOnDisk: primary.onDisk)
    }

    /// One dense vector's `{size, distance, hnsw_config}`; the collection's `hnsw_config`
    /// applies first, the vector's own on top.
    static func denseVector(_ parameters: JSONFields, collectionHNSW: JSONFields?, defaultSize: Int?) throws -> DenseVectorConfiguration {
        try parameters.refuseUnknown(allowed: ["size", "distance", "hnsw_config", "on_disk", "memory", "datatype", "multivector_config", "quantization_config"])
        for unsupported in ["multivector_config", "quantization_config"] where parameters[unsupported] != nil {
            throw APIError.badRequest("`\(unsupported)` in \(parameters.context) is not supported yet")
        }
        if let datatype = try parameters.string("datatype"), datatype != "float32" {
            throw APIError.badRequest("`datatype` \(datatype) is not supported; vectors are stored as float32")
        }
        guard let size = try parameters.int("size", range: CollectionSchema.dimensionRange) ?? defaultSize else {
            throw APIError.badRequest("missing `size` in \(parameters.context)")
        }
        let distance = try Self.distance(try parameters.requireString("distance"))
        var hnsw = HNSWSettings()
        // The collection's `hnsw_config` was checked once with the other create options.
        let own = try parameters.object("hnsw_config")
        if let own { try CollectionCreateOptions.checkHNSW(own) }
        for config in [collectionHNSW, own].compactMap({ $0 }) {
            hnsw.m = try config.int("m", default: hnsw.m, range: HNSWSettings.mRange) ?? hnsw.m
            hnsw.efConstruction = try config.int("ef_construct", default: hnsw.efConstruction, range: HNSWSettings.efConstructionRange) ?? hnsw.efConstruction
            hnsw.ef = try config.int("ef", default: hnsw.ef, range: HNSWSettings.efRange) ?? hnsw.ef
            hnsw.fullScanThreshold = try config.int("full_scan_threshold", default: hnsw.fullScanThreshold, range: 0...100_000_000)
                ?? hnsw.fullScanThreshold
        }
        return DenseVectorConfiguration(dimension: size, distance: distance, hnsw: hnsw, onDisk: try vectorsOnDisk(parameters))
    }

    /// `on_disk`, or Qdrant's newer `memory` that overrides it: `cold` and `cached` both keep
    /// the floats in a file the OS pages (written through the page cache, so it starts warm),
    /// as `on_disk: true` does.
    static func vectorsOnDisk(_ parameters: JSONFields) throws -> Bool? {
        let onDisk = try parameters.bool("on_disk")
        switch try parameters.string("memory") {
        case nil: return onDisk
        case "cold", "cached": return true
        case "pinned":
            throw APIError.badRequest("`memory` `pinned` in \(parameters.context) is not supported for dense vectors (as in Qdrant); use `on_disk: false` to keep them in memory")
        case let other?:
            throw APIError.badRequest("`memory` in \(parameters.context) must be `cold` or `cached`, got `\(other)`")
        }
    }

    /// `sparse_vectors`: each `{"modifier": "idf" | "none", "index": {...}}`.
    static func sparseVectors(_ body: JSONFields?) throws -> [String: SparseVectorConfiguration] {
        var result: [String: SparseVectorConfiguration] = [:]
        for (name, value) in body?.fields ?? [:] {
            let parameters = try JSONFields(value.isNull ? .object([:]) : value, context: "`sparse_vectors.\(name)`")
            let modifier: SparseModifier
            switch try parameters.string("modifier") {
            case nil, "none": modifier = .none
            case "idf": modifier = .idf
            case let other?: throw APIError.badRequest("`sparse_vectors.\(name).modifier` must be `idf` or `none`, got `\(other)`")
            }
            if let index = try parameters.object("index") {
                // `on_disk` and `full_scan_threshold` are placement and planning hints: the
                // inverted index is in memory and always exact.
                if let datatype = try index.string("datatype"), datatype != "float32" {
                    throw APIError.badRequest("sparse `datatype` \(datatype) is not supported; values are stored as float32")
                }
                for key in index.fields.keys where !["on_disk", "full_scan_threshold", "datatype"].contains(key) {
                    throw APIError.badRequest("`sparse_vectors.\(name).index.\(key)` is not supported")
                }
            }
            result[name] = SparseVectorConfiguration(modifier: modifier)
        }
        return result
    }

    static func distance(_ name: String) throws -> Distance {
        switch name.lowercased() {
        case "cosine": return .cosine
        case "dot": return .dot
        case "euclid": return .euclid
        default: throw APIError.badRequest("distance `\(name)` is not supported; use Cosine, Dot or Euclid")
        }
    }

    static func distanceName(_ distance: Distance) -> String {
        switch distance {
        case .cosine: "Cosine"
        case .dot: "Dot"
        case .euclid: "Euclid"
        }
    }

    /// `field_schema`: a type name or Qdrant's `{"type": ..., ...}` parameters. Datetime and text
    /// parameters are read in full; an option this server would not honour is refused by name.
    static func payloadIndexType(_ value: JSONValue?) throws -> PayloadIndexType {
        var name = value?.stringValue
        var parameters: [String: JSONValue] = [:]
        if case let .object(fields)? = value {
            name = fields["type"]?.stringValue
            parameters = fields.filter { !$0.value.isNull }
        }
        switch name {
        case "keyword", "uuid": return .keyword
        case "integer": return .integer
        case "float": return .float
        case "bool": return .bool
        case "datetime":
            // `on_disk` is a placement hint; the index lives in LMDB on disk either way.
            try refuseIndexOptions(parameters, type: "datetime", except: ["type", "on_disk"])
            return .datetime
        case "text": return .text(try textTokenizer(parameters))
        default: throw APIError.badRequest("`field_schema` must be keyword, integer, float, bool, datetime or text")
        }
    }

    /// Qdrant's `TextIndexParams`: the `word` and `whitespace` tokenizers with `lowercase`,
    /// `min_token_len` and `max_token_len`. `phrase_matching` is accepted either way because
    /// phrases are always answered (checked against the payload), and `ascii_folding: false`
    /// is what happens anyway; any other option is refused by name.
    static func textTokenizer(_ parameters: [String: JSONValue]) throws -> TextTokenizer {
        func flag(_ key: String) throws -> Bool? {
            switch parameters[key] {
            case nil: return nil
            case .bool(let value)?: return value
            default: throw APIError.badRequest("text index option `\(key)` must be true or false")
            }
        }
        if try flag("ascii_folding") == true {
            throw APIError.badRequest("text index option `ascii_folding` is not supported; tokens keep their accents")
        }
        _ = try flag("phrase_matching")
        try refuseIndexOptions(parameters, type: "text",
                               except: ["type", "tokenizer", "lowercase", "min_token_len", "max_token_len", "phrase_matching", "ascii_folding", "on_disk"])
        var tokenizer = TextTokenizer()
        switch parameters["tokenizer"] {
        case nil: break
        case .string("word")?: tokenizer.kind = .word
        case .string("whitespace")?: tokenizer.kind = .whitespace
        case .string(let other)? where ["prefix", "multilingual"].contains(other):
            throw APIError.badRequest("text index tokenizer `\(other)` is not supported; use `word` or `whitespace`")
        case let other?:
            throw APIError.badRequest("text index `tokenizer` must be `word` or `whitespace`, not \(other.jsonText)")
        }
        tokenizer.lowercase = try flag("lowercase") ?? true
        func length(_ key: String) throws -> Int? {
            guard let value = parameters[key] else { return nil }
            guard case let .int(number) = value, number >= 0, number <= Int64(Int32.max) else {
                throw APIError.badRequest("text index option `\(key)` must be a non-negative integer")
            }
            return Int(number)
        }
        tokenizer.minimumTokenLength = try length("min_token_len")
        tokenizer.maximumTokenLength = try length("max_token_len")
        return tokenizer
    }

    private static func refuseIndexOptions(_ parameters: [String: JSONValue], type: String, except accepted: Set<String>) throws {
        let refused = parameters.keys.filter { !accepted.contains($0) }.sorted()
        guard refused.isEmpty else {
            let names = refused.map { "`\($0)`" }.joined(separator: ", ")
            throw APIError.badRequest("\(type) index option\(refused.count == 1 ? " \(names) is" : "s \(names) are") not supported")
        }
    }

    /// Qdrant's `params` of a `PayloadIndexInfo`, for the index types that have any.
    static func payloadIndexParameters(_ type: PayloadIndexType) -> JSONValue? {
        guard case .text(let tokenizer) = type else { return nil }
        var parameters: [String: JSONValue] = ["type": "text", "tokenizer": .string(tokenizer.kind.rawValue), "lowercase": .bool(tokenizer.lowercase)]
        if let minimum = tokenizer.minimumTokenLength { parameters["min_token_len"] = .int(Int64(minimum)) }
        if let maximum = tokenizer.maximumTokenLength { parameters["max_token_len"] = .int(Int64(maximum)) }
        return .object(parameters)
    }

    /// `vectors` as the collection was created: `{size, distance}`, or a map of named vectors.
    static func vectorsInfo(_ schema: CollectionSchema) -> JSONValue {
        func describe(_ configuration: DenseVectorConfiguration, withHNSW: Bool = true) -> JSONValue {
            var fields: [String: JSONValue] = ["size": .int(Int64(configuration.dimension)), "distance": .string(distanceName(configuration.distance))]
            if withHNSW {
                fields["hnsw_config"] = ["m": .int(Int64(configuration.hnsw.m)), "ef_construct": .int(Int64(configuration.hnsw.efConstruction)),
                                         "full_scan_threshold": .int(Int64(configuration.hnsw.fullScanThreshold))]
            }
            if let onDisk = configuration.onDisk { fields["on_disk"] = .bool(onDisk) }
            return .object(fields)
        }
        guard let primaryName = schema.vectorName else {
            // The unnamed form always has its dense vector.
            return describe(schema.dense(schema.primaryVectorName)!, withHNSW: false)
        }
        var map = schema.namedVectors.mapValues { describe($0) }
        if let primary = schema.dense(primaryName) { map[primaryName] = describe(primary) }
        return .object(map)
    }

    /// Qdrant's CollectionInfo, with exactly the keys its clients' models accept.
    static func info(_ serving: ServingCollection) throws -> JSONValue {
        let schema = try serving.schema()
        let points = try serving.count(filter: nil)
        var payloadSchema: [String: JSONValue] = [:]
        for (field, type) in schema.payloadIndexes {
            var info: [String: JSONValue] = ["data_type": .string(type.name), "points": .int(Int64(points))]
            info["params"] = payloadIndexParameters(type)
            payloadSchema[field] = .object(info)
        }
        return [
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": .int(Int64(serving.indexedVectorCount)),
            "points_count": .int(Int64(points)),
            "segments_count": 1,
            "config": [
                "params": [
                    "vectors": vectorsInfo(schema),
                    "sparse_vectors": .object(schema.sparseVectors.mapValues { ["modifier": .string($0.modifier.rawValue)] }),
                    "shard_number": 1, "replication_factor": 1, "write_consistency_factor": 1, "on_disk_payload": true,
                ],
                "hnsw_config": [
                    "m": .int(Int64(schema.hnsw.m)), "ef_construct": .int(Int64(schema.hnsw.efConstruction)),
                    "full_scan_threshold": .int(Int64(schema.hnsw.fullScanThreshold)),
                ],
                "optimizer_config": [
                    "deleted_threshold": 0.2, "vacuum_min_vector_number": 1000, "default_segment_number": 0,
                    "indexing_threshold": 20_000, "flush_interval_sec": 5, "max_optimization_threads": .null,
                ],
                "wal_config": ["wal_capacity_mb": 32, "wal_segments_ahead": 0],
                "quantization_config": schema.quantization.map(CollectionCreateOptions.describe) ?? .null,
            ],
            "payload_schema": .object(payloadSchema),
            "embedding_model": schema.embeddingModel.map(JSONValue.string) ?? .null,
        ]
    }
}
