import Lifecycle
import Storage

/// Reads Qdrant's universal query (`points/query`) into a query tree: `query`, `using`,
/// `prefetch` (nested), `filter`, `limit`, `params`, `score_threshold`, `lookup_from`. Text
/// and point ids are turned into vectors here, so the tree holds only vectors.
struct QueryDecoding {
    let routes: RouteContext
    let serving: ServingCollection
    let schema: CollectionSchema

    /// Keys a query node may carry; anything else is refused rather than ignored.
    static let nodeKeys: Set<String> = ["query", "using", "prefetch", "filter", "limit", "params", "score_threshold", "lookup_from"]
    static let rootKeys: Set<String> = nodeKeys.union(["offset", "with_payload", "with_vector", "shard_key", "timeout"])

    /// `params.quantization`: `ignore`, `rescore`, `oversampling`, as Qdrant reads them.
    static func quantization(_ fields: JSONFields?) throws -> QuantizationParameters? {
        guard let fields else { return nil }
        try fields.refuseUnknown(allowed: ["ignore", "rescore", "oversampling"])
        let oversampling = try fields.double("oversampling") ?? 1
        guard QuantizationParameters.oversamplingRange.contains(oversampling) else {
            throw APIError.badRequest("`oversampling` must lie in \(QuantizationParameters.oversamplingRange), got \(oversampling)")
        }
        return QuantizationParameters(ignore: try fields.bool("ignore", default: false), rescore: try fields.bool("rescore", default: true),
                                      oversampling: oversampling)
    }

    /// The root node and the text its vector was embedded from (for the query log).
    func root(_ body: JSONFields, limit: Int) async throws -> (node: QueryNode, text: String?) {
        try body.refuseUnknown(allowed: Self.rootKeys)
        let decoded = try await node(body, limit: limit)
        // A plain text query is answered by the collection's serving pipeline (dense, or
        // hybrid once promoted); an explicit `using` or `prefetch` is answered as written.
        guard let text = decoded.text, body["using"] == nil, decoded.node.prefetch.isEmpty,
              case let .nearest(.dense(vector)) = decoded.node.query, serving.servingPipeline.kind == .hybrid else { return decoded }
        let node = decoded.node
        let hybrid = serving.textQuery(vector: vector, bm25Terms: try BM25Inference.query(text, options: nil), limit: node.limit,
                                       filter: node.filter, ef: node.ef, exact: node.exact, scoreThreshold: node.scoreThreshold)
        return (hybrid, text)
    }

    func node(_ body: JSONFields, limit defaultLimit: Int? = nil, depth: Int = 0) async throws -> (node: QueryNode, text: String?) {
        if depth > 0 { try body.refuseUnknown(allowed: Self.nodeKeys) }
        guard depth <= 8 else { throw APIError.badRequest("`prefetch` is nested deeper than 8 levels") }
        let using = try body.string("using")
        if let using, schema.dense(using) == nil, schema.sparseVectors[using] == nil {
            throw APIError.badRequest("collection `\(schema.name)` has no vector named `\(using)`; its vectors are \(schema.vectorNames.map { "`\($0)`" }.joined(separator: ", "))")
        }
        var prefetch: [QueryNode] = []
        switch body["prefetch"] {
        case nil: break
        case let .array(items)?:
            for (index, item) in items.enumerated() {
                prefetch.append(try await node(try JSONFields(item, context: "prefetch[\(index)]"), depth: depth + 1).node)
            }
        case let item?: prefetch.append(try await node(try JSONFields(item, context: "`prefetch`"), depth: depth + 1).node)
        }
        let limit = try body.int("limit", default: defaultLimit ?? 10, range: 0 ... routes.configuration.maxResultWindow)!
        guard let queryValue = body["query"] else {
            throw APIError.badRequest(prefetch.isEmpty ? "a prefetch needs a `query`" : "a query with `prefetch` needs a `query` to combine them (for example {\"fusion\": \"rrf\"})")
        }
        let (expression, text) = try await expression(queryValue, using: using, lookup: try body.object("lookup_from"))
        let params = try body.object("params")
        if let params { try params.refuseUnknown(allowed: ["hnsw_ef", "exact", "indexed_only", "quantization"]) }
        let node = QueryNode(prefetch: prefetch, query: expression, using: using == schema.primaryVectorName ? nil : using,
                             filter: try body.filter(), limit: limit, ef: try params?.int("hnsw_ef", range: 1 ... 100_000),
                             exact: try params?.bool("exact", default: false) ?? false,
                             scoreThreshold: try body.double("score_threshold").map(Float.init),
                             quantization: try Self.quantization(try params?.object("quantization")))
        return (node, text)
    }

    /// `query`: a vector, a sparse vector, a point id, text, an inference object,
    /// `{"nearest": ..., "mmr": ...}`, `{"fusion": "rrf" | "dbsf"}` or `{"rrf": {"k": K}}`.
    private func expression(_ value: JSONValue, using: String?, lookup: JSONFields?) async throws -> (QueryExpression, String?) {
        if case let .object(fields) = value, VectorSource.document(in: fields) == nil, !VectorSource.isSparse(fields) {
            if let fusion = fields["fusion"] {
                guard fields.count == 1 else { throw APIError.badRequest("`fusion` takes no other keys") }
                switch fusion.stringValue {
                case "rrf": return (.fusion(.rrf(k: 2)), nil)
                case "dbsf": return (.fusion(.dbsf), nil)
                default: throw APIError.badRequest("`fusion` must be `rrf` or `dbsf`")
                }
            }
            if let rrf = fields["rrf"] {
                let parameters = try JSONFields(rrf, context: "`rrf`")
                try parameters.refuseUnknown(allowed: ["k", "weights"])
                if parameters["weights"] != nil { throw APIError.badRequest("weighted `rrf` is not supported yet") }
                return (.fusion(.rrf(k: try parameters.int("k", default: 2, range: 1 ... 1_000_000)!)), nil)
            }
            if let nearest = fields["nearest"] {
                guard Set(fields.keys).isSubset(of: ["nearest", "mmr"]) else {
                    throw APIError.badRequest("`nearest` takes only `mmr` beside it")
                }
                let (vector, text) = try await vector(nearest, using: using, lookup: lookup)
                guard let mmrValue = fields["mmr"] else { return (.nearest(vector), text) }
                guard case let .dense(dense) = vector else { throw APIError.badRequest("MMR needs a dense `nearest` vector") }
                let mmr = try JSONFields(mmrValue, context: "`mmr`")
                try mmr.refuseUnknown(allowed: ["diversity", "candidates_limit"])
                let diversity = try mmr.double("diversity") ?? 0.5
                guard (0 ... 1).contains(diversity) else { throw APIError.badRequest("`mmr.diversity` must be between 0 and 1") }
                return (.mmr(vector: dense, diversity: Float(diversity),
                             candidatesLimit: try mmr.int("candidates_limit", range: 1 ... routes.configuration.maxResultWindow)), text)
            }
            let kind = fields.keys.sorted().joined(separator: ", ")
            throw APIError.badRequest("query kind `\(kind)` is not supported; use a vector, a sparse vector, a point id, text, {\"nearest\": ...} (with optional `mmr`), {\"fusion\": \"rrf\" | \"dbsf\"} or {\"rrf\": {\"k\": K}}")
        }
        let (vector, text) = try await vector(value, using: using, lookup: lookup)
        return (.nearest(vector), text)
    }

    /// A query vector for `using`: given, embedded from text, or a stored point's vector.
    private func vector(_ value: JSONValue, using: String?, lookup: JSONFields?) async throws -> (QueryVector, String?) {
        let name = using ?? schema.primaryVectorName
        switch value {
        case .array:
            return (.dense(try WireFormat.vector(value, field: "query")), nil)
        case let .object(fields) where VectorSource.isSparse(fields):
            return (.sparse(try WireFormat.sparseVector(fields, field: "query")), nil)
        case let .object(fields):
            guard let document = VectorSource.document(in: fields) else { throw APIError.badRequest("`query` is not a vector") }
            if BM25Inference.matches(document.model) {
                guard schema.sparseVectors[name] != nil else {
                    throw APIError.badRequest("`qdrant/bm25` queries a sparse vector; `\(name)` is dense (name a sparse vector with `using`)")
                }
                return (try BM25Inference.query(document.text, options: document.options), nil)
            }
            return (.dense(try await embed(document.text, model: document.model, name: name)), document.text)
        case let .string(plain) where PointID(uuidString: plain) == nil && UInt64(plain) == nil:
            return (.dense(try await embed(plain, model: "", name: name)), plain)
        case .int, .string:
            return (try stored(WireFormat.pointID(value, field: "query"), name: name, lookup: lookup), nil)
        default:
            throw APIError.badRequest("`query` must be a vector, a sparse vector {\"indices\", \"values\"}, a point id, text or a query object")
        }
    }

    private func embed(_ text: String, model: String, name: String) async throws -> [Float] {
        if name == schema.primaryVectorName { return try await routes.embedQuery(text: text, model: model, for: serving) }
        if schema.sparseVectors[name] != nil {
            throw APIError.badRequest("plain text cannot query sparse vector `\(name)`; send {\"text\": ..., \"model\": \"qdrant/bm25\"} or {\"indices\", \"values\"}")
        }
        let served = try routes.model(named: model, for: serving, slot: .dense(name))
        let vector = try await served.batcher.embed([text])[0]
        guard vector.count == schema.namedVectors[name]?.dimension else {
            throw APIError.badRequest("model `\(served.name)` makes \(vector.count)-dimensional vectors; vector `\(name)` holds \(schema.namedVectors[name]?.dimension ?? 0)")
        }
        return vector
    }

    /// A stored point's vector `name`, from this collection or from `lookup_from`.
    private func stored(_ id: PointID, name: String, lookup: JSONFields?) throws -> QueryVector {
        var source = serving
        var vectorName = name
        if let lookup {
            try lookup.refuseUnknown(allowed: ["collection", "vector"])
            source = try routes.lookupCollection(named: try lookup.requireString("collection"))
            vectorName = try lookup.string("vector") ?? (try source.schema().primaryVectorName)
        }
        let sourceSchema = try source.schema()
        guard let point = try source.retrieve([id], withVector: true).first else {
            throw APIError.notFound("No point with id \(id) found")
        }
        let vector: QueryVector?
        if vectorName == sourceSchema.primaryVectorName {
            vector = point.vector.map(QueryVector.dense)
        } else if sourceSchema.sparseVectors[vectorName] != nil {
            vector = point.sparseVectors[vectorName].map(QueryVector.sparse)
        } else if sourceSchema.namedVectors[vectorName] != nil {
            vector = point.namedVectors[vectorName].map(QueryVector.dense)
        } else {
            throw APIError.badRequest("collection `\(sourceSchema.name)` has no vector named `\(vectorName)`; its vectors are \(sourceSchema.vectorNames.map { "`\($0)`" }.joined(separator: ", "))")
        }
        guard let vector else { throw APIError.badRequest("point \(id) has no vector `\(vectorName)`") }
        return vector
    }

}
