import Foundation
import Hummingbird
import Lifecycle
import Storage

/// `POST /collections/{name}/builds/{number}/points/query`: a nearest-neighbour query answered
/// by one build of the collection (serving or not), so the console can show the serving build
/// and another side by side. A text query is embedded by the build's own model.
struct BuildQueryRoutes {
    let routes: RouteContext

    static let fields: Set<String> = ["query", "limit", "offset", "filter", "params", "with_payload", "with_vector", "score_threshold"]

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .post, "/collections/{name}/builds/{number}/points/query") { request, context in
            let serving = try routes.collection(context)
            let text = try context.parameters.require("number")
            guard let number = Int(text), number >= 0 else { throw APIError.badRequest("the build number must be 0 or more, got `\(text)`") }
            let body = try await routes.fields(request)
            try body.refuseUnknown(allowed: Self.fields)
            guard let query = body["query"] else { throw APIError.badRequest("`query` is required: a vector, or text for the build's model to embed") }
            let vector = try await self.vector(query, serving: serving, build: number)
            let selection = try ResultSelection(body, payloadDefault: false, schema: try serving.schema())
            let limit = try body.int("limit", default: 10, range: 0...routes.configuration.maxResultWindow)!
            let offset = try body.int("offset", default: 0, range: 0...routes.configuration.maxResultWindow)!
            let search = try SearchRoutes(routes: routes).searchRequest(body, vector: vector, limit: limit, offset: offset, selection: selection)
            let hits = try await offloaded { try serving.search(search, onBuild: number) }
            return ["build": .int(Int64(number)), "points": .array(hits.map { selection.render($0.point, score: $0.score) })]
        }
    }

    /// The query as a vector: given, or its text embedded by the model the build's vectors come
    /// from (a registered `name@version`, or a served model by name).
    private func vector(_ query: JSONValue, serving: ServingCollection, build: Int) async throws -> [Float] {
        let text: String
        switch query {
        case .array: return try WireFormat.vector(query, field: "query")
        case .string(let value): text = value
        case .object(let object):
            guard let value = object["text"]?.stringValue, object.keys.allSatisfy({ ["text", "model"].contains($0) }) else {
                throw APIError.badRequest("`query` must be a vector, a text, or {\"text\": ...}; the build's own model embeds it")
            }
            text = value
        default: throw APIError.badRequest("`query` must be a vector, a text, or {\"text\": ...}")
        }
        guard let model = try serving.model(ofBuild: build) else {
            throw APIError.badRequest("build \(build) of `\(serving.name)` holds vectors stored without a model: send the query as a vector")
        }
        guard let served = try routes.models.resolve(model) else {
            throw APIError.badRequest("build \(build) holds vectors of `\(model)`, which this server neither serves nor has registered: send the query as a vector")
        }
        return try await served.batcher.embed([text])[0]
    }
}
