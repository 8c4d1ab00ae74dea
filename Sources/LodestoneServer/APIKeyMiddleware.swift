import HTTPTypes
import Hummingbird

/// Checks the `api-key` header (or `Authorization: Bearer ...`): the full key may do anything,
/// the read-only key may only read. Health probes stay open so orchestrators can check the
/// process without a secret.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let fullAccessKey: String?
    let readOnlyKey: String?
    /// The console's files hold no data (its requests carry the key), so they load without one.
    static let openPaths: Set<String> = ["/healthz", "/livez", "/readyz", "/dashboard"]
    static let apiKeyHeader = HTTPField.Name("api-key")!

    /// POST routes that only read; every other POST, and every PUT, PATCH and DELETE, writes.
    static let readingPostSuffixes = ["/points", "/points/scroll", "/points/count", "/points/query", "/points/query/batch",
                                      "/points/search", "/points/search/batch"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard fullAccessKey != nil || readOnlyKey != nil, !Self.openPaths.contains(request.uri.path),
              !request.uri.path.hasPrefix("/dashboard/") else {
            return try await next(request, context)
        }
        let start = ContinuousClock.now
        let presented = request.headers[Self.apiKeyHeader] ?? Self.bearerToken(request.headers[.authorization])
        guard let presented else {
            return Envelope.error(APIError(status: .unauthorized, message: "Must provide an API key or an Authorization bearer token"), since: start)
        }
        if let fullAccessKey, Self.constantTimeEqual(presented, fullAccessKey) {
            return try await next(request, context)
        }
        if let readOnlyKey, Self.constantTimeEqual(presented, readOnlyKey) {
            guard !Self.isWrite(request) else {
                return Envelope.error(APIError(status: .forbidden, message: "Forbidden: the read-only API key cannot change data"), since: start)
            }
            return try await next(request, context)
        }
        return Envelope.error(APIError(status: .unauthorized, message: "Invalid API key or bearer token"), since: start)
    }

    static func isWrite(_ request: Request) -> Bool {
        switch request.method {
        case .get, .head, .options: return false
        case .post:
            let path = request.uri.path
            if path == "/v1/embeddings" { return false }
            return !(path.hasPrefix("/collections/") && readingPostSuffixes.contains { path.hasSuffix($0) } && !path.hasPrefix("/collections/aliases"))
        default: return true
        }
    }

    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

    /// Compares without an early exit, so response timing does not reveal a key's prefix.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}

import Foundation
