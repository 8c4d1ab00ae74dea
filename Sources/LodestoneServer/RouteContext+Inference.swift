import Foundation
import Hummingbird
import Embeddings
import Lifecycle
import Storage

extension RouteContext {
    /// The served model for an inference object, checked against the collection's binding.
    func model(named requested: String, for serving: ServingCollection) throws -> ServedModels.Model {
        var name = requested
        if name.isEmpty {
            guard let bound = try serving.schema().embeddingModel else {
                throw APIError.badRequest("collection `\(serving.name)` has no embedding model bound, so text cannot stand in for a vector; send a vector or {\"text\": ..., \"model\": ...}")
            }
            name = bound
        }
        guard let model = try models.resolve(name) else {
            let served = models.models.map(\.name).joined(separator: ", ")
            throw APIError.badRequest("model `\(name)` is not served here (served: \(served.isEmpty ? "none; start the server with --model DIR or register it with `lodestone models register`" : served); registered models are served as name@version)")
        }
        if let bound = try serving.schema().embeddingModel, name != bound,
           try models.resolve(bound)?.directory.standardizedFileURL != model.directory.standardizedFileURL {
            throw APIError.badRequest("collection `\(serving.name)` is bound to model `\(bound)`; documents must use that model, not `\(name)`")
        }
        guard model.embedder.dimension == serving.dimension else {
            throw APIError.badRequest("model `\(model.name)` makes \(model.embedder.dimension)-dimensional vectors; collection `\(serving.name)` holds \(serving.dimension)")
        }
        return model
    }

    /// Embeds the drafts' documents and upserts them; if the collection switched models while
    /// they were embedded (a promotion), embeds them again with the new model.
    func upsert(_ drafts: [PointDraft], into serving: ServingCollection, request: Request? = nil) async throws -> UInt64 {
        for attempt in 1 ... 3 {
            let bound = try serving.schema().embeddingModel
            let points = try await resolve(drafts, for: serving)
            let embedded = drafts.contains { $0.vectors.needsEmbeddingModel }
            do {
                let model = embedded ? bound : nil
                guard let request else { return try serving.upsert(points, embeddedWith: model) }
                let wait = PointRoutes.waits(request)
                return try await write(request) { try serving.upsert(points, embeddedWith: model, wait: wait) }
            } catch LifecycleError.bindingChanged where attempt < 3 {
                continue
            }
        }
        throw LifecycleError.invalidRequest("the collection's model kept changing during the write; send it again")
    }

    /// Turns drafts into points: each vector placed by its name (the primary, another dense
    /// vector or a sparse one), every document embedded in one batched call per model; the
    /// text of a document for the primary vector is stored with its point.
    func resolve(_ drafts: [PointDraft], for serving: ServingCollection) async throws -> [PointInput] {
        let schema = try serving.schema()
        var points = drafts.map { PointInput(id: $0.id, vector: [], payload: $0.payload) }
        var pending: [String: [(point: Int, slot: VectorSlot, text: String)]] = [:]
        for (index, draft) in drafts.enumerated() {
            for (slot, source) in try VectorSlot.place(draft.vectors, schema: schema, point: draft.id) {
                switch source {
                case let .dense(vector): slot.assign(vector, to: &points[index])
                case let .sparse(vector):
                    guard case let .sparse(name) = slot else {
                        throw APIError.badRequest("point \(draft.id): `\(slot.name(schema))` is a dense vector; a sparse vector was sent")
                    }
                    points[index].sparseVectors[name] = vector
                case let .document(text, model, options) where BM25Inference.matches(model):
                    guard case let .sparse(name) = slot else {
                        throw APIError.badRequest("point \(draft.id): `qdrant/bm25` makes sparse vectors; `\(slot.name(schema))` is a dense vector")
                    }
                    points[index].sparseVectors[name] = try BM25Inference.document(text, options: options)
                case let .document(text, model, _): pending[model, default: []].append((index, slot, text))
                }
            }
        }
        for (name, documents) in pending {
            let model = try self.model(named: name, for: serving, slot: documents[0].slot)
            let vectors = try await model.batcher.embed(documents.map(\.text))
            for (document, vector) in zip(documents, vectors) {
                guard model.embedder.dimension == document.slot.dimension(schema) else {
                    throw APIError.badRequest("model `\(model.name)` makes \(model.embedder.dimension)-dimensional vectors; vector `\(document.slot.name(schema))` holds \(document.slot.dimension(schema) ?? 0)")
                }
                document.slot.assign(vector, to: &points[document.point])
                if case .primary = document.slot { points[document.point].text = document.text }
            }
        }
        return points
    }

    /// Resolves the vectors of `PUT .../points/vectors` bodies.
    func resolveUpdates(_ drafts: [PointDraft], for serving: ServingCollection) async throws -> [VectorUpdate] {
        let inputs = try await resolve(drafts, for: serving)
        // `resolve` placed every vector already, so placing again cannot fail; it only tells
        // whether the primary vector was sent (an empty one means "leave it as it is").
        let schema = try serving.schema()
        return try zip(drafts, inputs).map { draft, input in
            let givesPrimary = try VectorSlot.place(draft.vectors, schema: schema, point: draft.id)
                .contains { if case .primary = $0.slot { true } else { false } }
            return VectorUpdate(id: input.id, primary: givesPrimary ? input.vector : nil, namedVectors: input.namedVectors,
                                sparseVectors: input.sparseVectors)
        }
    }

    /// The served model for a document bound for `slot`: for the primary vector, checked
    /// against the collection's binding.
    func model(named requested: String, for serving: ServingCollection, slot: VectorSlot) throws -> ServedModels.Model {
        if case .primary = slot { return try model(named: requested, for: serving) }
        guard !requested.isEmpty else {
            throw APIError.badRequest("plain text fills only the collection's bound vector; send {\"text\": ..., \"model\": ...} for other vectors")
        }
        if case .sparse = slot {
            throw APIError.badRequest("model `\(requested)` makes dense vectors; sparse vectors are filled by `qdrant/bm25` or sent as {\"indices\", \"values\"}")
        }
        guard let model = try models.resolve(requested) else {
            throw APIError.badRequest("model `\(requested)` is not served here (served: \(models.models.map(\.name).joined(separator: ", ")))")
        }
        return model
    }

    func embedQuery(text: String, model name: String, for serving: ServingCollection) async throws -> [Float] {
        let model = try model(named: name, for: serving)
        return try await model.batcher.embed([text])[0]
    }
}

/// Where a sent vector goes in a collection's schema.
enum VectorSlot: Sendable {
    case primary
    case dense(String)
    case sparse(String)

    func name(_ schema: CollectionSchema) -> String {
        switch self {
        case .primary: schema.primaryVectorName
        case let .dense(name), let .sparse(name): name
        }
    }

    func dimension(_ schema: CollectionSchema) -> Int? {
        switch self {
        case .primary: schema.dimension
        case let .dense(name): schema.namedVectors[name]?.dimension
        case .sparse: nil
        }
    }

    func assign(_ vector: [Float], to point: inout PointInput) {
        switch self {
        case .primary: point.vector = vector
        case let .dense(name): point.namedVectors[name] = vector
        case .sparse: break
        }
    }

    /// Each sent vector with its slot; a name the collection lacks is an error that lists the
    /// names it has. In the unnamed form the one vector (bare, or as the only map entry, as
    /// LangChain sends it under "") is the primary.
    static func place(_ vectors: DraftVectors, schema: CollectionSchema, point: PointID) throws -> [(slot: VectorSlot, source: VectorSource)] {
        if let unnamed = vectors.unnamed {
            guard schema.vectorName == nil || (schema.vectorName == "" && schema.hasDenseVector) else {
                throw APIError.badRequest("point \(point): collection `\(schema.name)` has named vectors (\(schema.vectorNames.map { "`\($0)`" }.joined(separator: ", "))); send `vector` as {\"name\": vector}")
            }
            return [(.primary, unnamed)]
        }
        if schema.vectorName == nil {
            guard vectors.named.count == 1, let only = vectors.named.first else {
                throw APIError.badRequest("point \(point): collection `\(schema.name)` has one unnamed vector; send `vector` as a list of numbers")
            }
            return [(.primary, only.value)]
        }
        return try vectors.named.sorted { $0.key < $1.key }.map { name, source in
            if name == schema.primaryVectorName, schema.hasDenseVector { return (.primary, source) }
            if schema.namedVectors[name] != nil { return (.dense(name), source) }
            if schema.sparseVectors[name] != nil { return (.sparse(name), source) }
            throw APIError.badRequest("point \(point): collection `\(schema.name)` has no vector named `\(name)`; its vectors are \(schema.vectorNames.map { "`\($0)`" }.joined(separator: ", "))")
        }
    }
}
