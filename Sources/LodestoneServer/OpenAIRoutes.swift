import Embeddings
import Foundation
import Hummingbird
import Logging
import Storage

/// OpenAI-compatible `POST /v1/embeddings` and `GET /v1/models`, so code written for OpenAI's
/// embeddings API (and the `openai` Python package, which asks for base64) works unchanged.
struct OpenAIRoutes {
    let routes: RouteContext
    let models: ServedModels
    static let maximumInputs = 2048
    /// Longest input in UTF-8 bytes: the model reads only its window (a few hundred tokens),
    /// so a longer text is work spent tokenizing what is thrown away.
    static let maximumInputBytes = 1 << 20

    func register(on router: Router<BasicRequestContext>) {
        let logger = routes.logger
        routes.raw(router, .get, "/v1/models") { _, _ -> Response in
            Envelope.json(["object": "list", "data": .array(models.models.map(Self.modelObject))])
        }
        routes.raw(router, .get, "/v1/models/{model}") { _, context -> Response in
            let name = context.parameters.get("model") ?? ""
            guard let model = models.model(named: name) else {
                return Self.error(APIError(status: .notFound, message: "The model `\(name)` does not exist"), code: "model_not_found")
            }
            return Envelope.json(Self.modelObject(model))
        }
        routes.raw(router, .post, "/v1/embeddings") { request, _ -> Response in
            do {
                return Envelope.json(try await embeddings(request))
            } catch {
                let apiError = APIError.from(error) ?? {
                    logger.error("embedding request failed", metadata: ["error": "\(error)"])
                    return APIError(status: .internalServerError, message: "internal error: \(error)")
                }()
                return Self.error(apiError, code: nil)
            }
        }
    }

    private func embeddings(_ request: Request) async throws -> JSONValue {
        let body = try await routes.fields(request)
        let modelName = try body.requireString("model")
        guard let model = models.model(named: modelName) else {
            let served = models.models.map(\.name).joined(separator: ", ")
            throw APIError(status: .notFound, message: "The model `\(modelName)` is not served here; served models: \(served.isEmpty ? "none (start the server with --model DIR)" : served)")
        }
        let texts: [String]
        switch body["input"] {
        case let .string(text)?: texts = [text]
        case let .array(items)?:
            texts = try items.enumerated().map { index, item in
                guard let text = item.stringValue else {
                    throw APIError(status: .badRequest, message: "`input[\(index)]` must be a string (token-id inputs are not supported)")
                }
                return text
            }
        default:
            throw APIError(status: .badRequest, message: "`input` must be a string or a list of strings")
        }
        guard !texts.isEmpty else { throw APIError(status: .badRequest, message: "`input` must not be empty") }
        if let index = texts.firstIndex(where: { $0.utf8.count > Self.maximumInputBytes }) {
            throw APIError(status: .badRequest, message: "`input[\(index)]` is \(texts[index].utf8.count) bytes; the maximum is \(Self.maximumInputBytes) "
                           + "(the model reads only its first \(model.embedder.maxSequenceLength) tokens: split long documents into chunks)")
        }
        guard texts.count <= Self.maximumInputs else {
            throw APIError(status: .badRequest, message: "\(texts.count) inputs; the maximum is \(Self.maximumInputs) per request")
        }
        let format = try body.string("encoding_format") ?? "float"
        guard format == "float" || format == "base64" else {
            throw APIError(status: .badRequest, message: "`encoding_format` must be float or base64")
        }
        if let dimensions = try body.int("dimensions"), dimensions != model.embedder.dimension {
            throw APIError(status: .badRequest, message: "`dimensions` must be \(model.embedder.dimension) for \(model.name) (it cannot be shortened)")
        }
        let vectors = try await model.batcher.embed(texts)
        // Counted off the concurrency pool: tokenizing long inputs is real work.
        let embedder = model.embedder
        let counts = try await routes.decode { texts.map(embedder.untruncatedTokenCount) }
        let window = embedder.maxSequenceLength
        let tokens = counts.reduce(0) { $0 + min($1, window) }
        let data: [JSONValue] = vectors.enumerated().map { index, vector in
            [
                "object": "embedding", "index": .int(Int64(index)),
                "embedding": format == "base64" ? .string(Self.base64(vector)) : .array(vector.map(WireFormat.number)),
            ]
        }
        var response: [String: JSONValue] = [
            "object": "list", "data": .array(data), "model": .string(model.name),
            "usage": ["prompt_tokens": .int(Int64(tokens)), "total_tokens": .int(Int64(tokens))],
        ]
        // The model reads at most its window, as sentence-transformers truncates; the answer
        // says which inputs were cut (and from how many tokens), so no caller is surprised.
        let truncated = counts.enumerated().filter { $0.element > window }
        if !truncated.isEmpty {
            response["truncated"] = .array(truncated.map { index, count in
                ["index": .int(Int64(index)), "tokens": .int(Int64(count)), "max_tokens": .int(Int64(window))]
            })
        }
        return .object(response)
    }

    /// Little-endian float32 bytes, base64-encoded, as OpenAI's API returns them.
    static func base64(_ vector: [Float]) -> String {
        vector.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
    }

    static func modelObject(_ model: ServedModels.Model) -> JSONValue {
        [
            "id": .string(model.name), "object": "model", "created": .int(Int64(model.loadedAt.timeIntervalSince1970)),
            "owned_by": "lodestone", "dimension": .int(Int64(model.embedder.dimension)),
            "max_tokens": .int(Int64(model.embedder.maxSequenceLength)),
            "batches": .int(Int64(model.batcher.statistics.batches)),
            "texts_embedded": .int(Int64(model.batcher.statistics.texts)),
        ]
    }

    /// OpenAI's error shape: `{"error": {"message", "type", "param", "code"}}`.
    static func error(_ error: APIError, code: String?) -> Response {
        let type = error.status.code >= 500 ? "server_error" : "invalid_request_error"
        return Envelope.json(["error": [
            "message": .string(error.message), "type": .string(type), "param": .null, "code": code.map(JSONValue.string) ?? .null,
        ]], status: error.status)
    }
}
