import Embeddings
import Hummingbird
import Lifecycle
import Storage

/// `/collections...`: create, inspect, list, check, delete, payload indexes.
struct CollectionRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .get, "/collections") { _, _ in
            let names = try routes.engine.collectionNames()
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
            _ = try routes.engine.store.addPayloadIndex(collection: serving.name, field: field, type: type)
            return ["operation_id": .int(Int64(serving.lastAppliedSequence)), "status": "completed"]
        }
    }

    /// Reads Qdrant's create-collection body: `vectors` as `{size, distance}` or a one-entry
    /// map of named vectors (LangChain uses the name ""), and an optional `hnsw_config`.
    static func schema(name: String, from body: JSONFields, models: ServedModels) throws -> CollectionSchema {
        // Lodestone extension: `embedding_model` binds a served model; text then stands in for
        // vectors, and the size defaults to the model's dimension.
        var boundModel: (reference: String, dimension: Int)?
        if let reference = try body.string("embedding_model") {
            guard let model = models.model(named: reference) else {
                throw APIError.badRequest("`embedding_model` `\(reference)` is not served here (start the server with --model DIR)")
            }
            boundModel = (reference.contains("@") ? reference : "\(model.name)@default", model.embedder.dimension)
        }
        guard let vectors = body["vectors"] ?? boundModel.map({ _ in JSONValue.object(["distance": "Cosine"]) }) else {
            throw APIError.badRequest("missing `vectors` ({\"size\": N, \"distance\": \"Cosine\"})")
        }
        var parameters = try JSONFields(vectors, context: "`vectors`")
        if parameters["size"] == nil, parameters["distance"] == nil {
            guard parameters.fields.count == 1, let only = parameters.fields.values.first else {
                throw APIError.badRequest("`vectors` must be {\"size\", \"distance\"} or a map with exactly one named vector; several named vectors are not supported")
            }
            parameters = try JSONFields(only, context: "the named vector's parameters")
        }
        guard let size = try parameters.int("size", range: CollectionSchema.dimensionRange) ?? boundModel?.dimension else {
            throw APIError.badRequest("missing `size` in `vectors`")
        }
        if let boundModel, boundModel.dimension != size {
            throw APIError.badRequest("`size` is \(size) but `embedding_model` makes \(boundModel.dimension)-dimensional vectors")
        }
        let distance = try Self.distance(try parameters.requireString("distance"))
        var hnsw = HNSWSettings()
        for config in [try body.object("hnsw_config"), try parameters.object("hnsw_config")].compactMap({ $0 }) {
            hnsw.m = try config.int("m", default: hnsw.m, range: 2...255) ?? hnsw.m
            hnsw.efConstruction = try config.int("ef_construct", default: hnsw.efConstruction, range: 4...10_000) ?? hnsw.efConstruction
            hnsw.ef = try config.int("ef", default: hnsw.ef, range: 1...10_000) ?? hnsw.ef
        }
        var indexes: [String: PayloadIndexType] = [:]
        if let schema = try body.object("payload_schema") {
            for (field, type) in schema.fields { indexes[field] = try payloadIndexType(type) }
        }
        return CollectionSchema(name: name, dimension: size, distance: distance, hnsw: hnsw,
                                embeddingModel: boundModel?.reference, payloadIndexes: indexes)
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

    static func payloadIndexType(_ value: JSONValue?) throws -> PayloadIndexType {
        var name = value?.stringValue
        if case let .object(fields)? = value { name = fields["type"]?.stringValue }
        switch name {
        case "keyword", "uuid": return .keyword
        case "integer": return .integer
        case "float": return .float
        case "bool": return .bool
        default: throw APIError.badRequest("`field_schema` must be keyword, integer, float or bool")
        }
    }

    /// Qdrant's CollectionInfo, with exactly the keys its clients' models accept.
    static func info(_ serving: ServingCollection) throws -> JSONValue {
        let schema = try serving.schema()
        var payloadSchema: [String: JSONValue] = [:]
        for (field, type) in schema.payloadIndexes {
            payloadSchema[field] = ["data_type": .string(type.rawValue), "points": .int(Int64(serving.liveCount))]
        }
        return [
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": .int(Int64(serving.liveCount)),
            "points_count": .int(Int64(serving.liveCount)),
            "segments_count": 1,
            "config": [
                "params": [
                    "vectors": ["size": .int(Int64(schema.dimension)), "distance": .string(distanceName(schema.distance))],
                    "shard_number": 1, "replication_factor": 1, "write_consistency_factor": 1, "on_disk_payload": true,
                ],
                "hnsw_config": [
                    "m": .int(Int64(schema.hnsw.m)), "ef_construct": .int(Int64(schema.hnsw.efConstruction)),
                    "full_scan_threshold": 10_000,
                ],
                "optimizer_config": [
                    "deleted_threshold": 0.2, "vacuum_min_vector_number": 1000, "default_segment_number": 0,
                    "indexing_threshold": 20_000, "flush_interval_sec": 5, "max_optimization_threads": .null,
                ],
                "wal_config": ["wal_capacity_mb": 32, "wal_segments_ahead": 0],
            ],
            "payload_schema": .object(payloadSchema),
            "embedding_model": schema.embeddingModel.map(JSONValue.string) ?? .null,
        ]
    }
}
