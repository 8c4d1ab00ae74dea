import Foundation
import NIOCore
import Hummingbird
import Lifecycle
import Storage

/// The embedding-model registry over HTTP: what `lodestone models` does from the command line.
struct RegistryRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        let engine = routes.engine
        routes.on(router, .get, "/registry/models") { _, _ in
            ["models": try JSONValue(encoding: registry().list())]
        }
        routes.on(router, .post, "/registry/models") { request, _ in
            let body = try await routes.fields(request)
            let path = try body.requireString("directory")
            let name = try body.requireString("name"), version = try body.requireString("version")
            let importRoot = ImportRoot(routes.configuration.artifactsImportRoot)
            let directory = try importRoot.check(
                path, what: "a model directory", instead: "upload the model as a tar stream to POST /registry/models/upload?name=\(name)&version=\(version)")
            let actor = routes.actor(try body.string("actor"))
            let registry = registry()
            return try JSONValue(encoding: try await offloaded {
                try registry.register(directory: directory, name: name, version: version, registeredBy: actor, within: importRoot.root)
            })
        }
        routes.on(router, .post, "/registry/models/upload") { request, _ in
            let upload = try await upload(request, kind: "models", what: "the model directory")
            let registry = registry()
            // Unpacking, hashing and loading the model run off the event loops and the pool.
            return try JSONValue(encoding: try await offloaded {
                try Self.refusingBadTar { try registry.register(tar: upload.bytes, name: upload.name, version: upload.version, registeredBy: upload.actor) }
            })
        }
        routes.on(router, .get, "/registry/datasets") { _, _ in
            ["datasets": try JSONValue(encoding: engine.lifecycle.datasets.list())]
        }
        routes.on(router, .post, "/registry/datasets/upload") { request, _ in
            let upload = try await upload(request, kind: "datasets", what: "the BEIR directory (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
            let datasets = engine.lifecycle.datasets
            return try JSONValue(encoding: try await offloaded {
                try Self.refusingBadTar { try datasets.register(tar: upload.bytes, name: upload.name, version: upload.version, registeredBy: upload.actor) }
            })
        }
        routes.on(router, .get, "/registry/models/{reference}") { _, context in
            let reference = try context.parameters.require("reference").decodingPercentEscapes()
            let registry = registry()
            var result = try JSONValue(encoding: try registry.model(reference)).objectValue ?? [:]
            result["used_by"] = .array(try registry.users(of: reference, store: engine.store).map(JSONValue.string))
            return .object(result)
        }
        routes.on(router, .put, "/registry/models/{reference}/stage") { request, context in
            let reference = try context.parameters.require("reference").decodingPercentEscapes()
            let body = try await routes.fields(request)
            let value = try body.requireString("stage")
            guard let stage = ModelStage(rawValue: value) else {
                throw APIError.badRequest("`stage` must be one of \(ModelStage.allCases.map(\.rawValue).joined(separator: ", ")), got `\(value)`")
            }
            return ["changed": try JSONValue(encoding: registry().setStage(reference, stage))]
        }
    }

    struct Upload: Sendable {
        var name: String, version: String, actor: String, bytes: [UInt8]
    }

    /// An upload's name and version (query parameters) and its tar stream, at most max_upload_bytes.
    private func upload(_ request: Request, kind: String, what: String) async throws -> Upload {
        guard let name = request.uri.queryParameters.get("name"), let version = request.uri.queryParameters.get("version") else {
            throw APIError.badRequest("give the version as query parameters: /registry/\(kind)/upload?name=NAME&version=VERSION")
        }
        let actor = routes.actor(request.uri.queryParameters.get("actor").map { String($0) })
        var request = request
        let limit = routes.configuration.maxUploadBytes
        let buffer: NIOCore.ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, message: "Wrong input: the upload is larger than max_upload_bytes (\(limit) bytes)")
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("the body must be \(what) as a tar stream") }
        return Upload(name: String(name), version: String(version), actor: actor, bytes: Array(buffer.readableBytesView))
    }

    private static func refusingBadTar<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch let failure as TarArchive.Failure { throw APIError.badRequest(failure.description) }
    }

    /// The engine's registry: its table is opened once (opening one takes the LMDB writer lock).
    private func registry() -> ModelRegistry { routes.engine.lifecycle.models.registry }
}

extension String {
    /// A path segment as the client meant it: browsers and most HTTP libraries send `@` in a
    /// model reference as `%40`, which the router hands over as written.
    func decodingPercentEscapes() -> String { removingPercentEncoding ?? self }
}
