import Foundation
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
    func upsert(_ drafts: [PointDraft], into serving: ServingCollection) async throws -> UInt64 {
        for attempt in 1 ... 3 {
            let bound = try serving.schema().embeddingModel
            let points = try await resolve(drafts, for: serving)
            let embedded = drafts.contains { if case .document = $0.vector { true } else { false } }
            do {
                return try serving.upsert(points, embeddedWith: embedded ? bound : nil)
            } catch LifecycleError.bindingChanged where attempt < 3 {
                continue
            }
        }
        throw LifecycleError.invalidRequest("the collection's model kept changing during the write; send it again")
    }

    /// Turns drafts into points, embedding every document in one batched call per model; the
    /// text of an embedded document is stored with its point.
    func resolve(_ drafts: [PointDraft], for serving: ServingCollection) async throws -> [PointInput] {
        var points = drafts.map { draft -> PointInput in
            if case let .dense(vector) = draft.vector { return PointInput(id: draft.id, vector: vector, payload: draft.payload) }
            return PointInput(id: draft.id, vector: [], payload: draft.payload)
        }
        var byModel: [String: [(index: Int, text: String)]] = [:]
        for (index, draft) in drafts.enumerated() {
            if case let .document(text, model) = draft.vector { byModel[model, default: []].append((index, text)) }
        }
        for (name, documents) in byModel {
            let model = try model(named: name, for: serving)
            let vectors = try await model.batcher.embed(documents.map(\.text))
            for (document, vector) in zip(documents, vectors) {
                points[document.index].vector = vector
                points[document.index].text = document.text
            }
        }
        return points
    }

    func embedQuery(text: String, model name: String, for serving: ServingCollection) async throws -> [Float] {
        let model = try model(named: name, for: serving)
        return try await model.batcher.embed([text])[0]
    }
}
