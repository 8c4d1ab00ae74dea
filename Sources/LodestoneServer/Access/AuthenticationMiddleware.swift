import Foundation
import HTTPTypes
import Hummingbird

/// Finds what the request's credential allows (the `api-key` header or `Authorization: Bearer`:
/// the API key, the read-only key, or with `--jwt` a token signed by the API key) and runs the
/// rest of the request with it as `AccessGrant.current`. Each route then checks its entry in
/// `RouteAccess.table`; a request without a valid credential reaches only the open routes.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let fullAccessKey: String?
    let readOnlyKey: String?
    let tokens: JSONWebTokenVerifier?
    static let apiKeyHeader = HTTPField.Name("api-key")!

    init(fullAccessKey: String?, readOnlyKey: String?, acceptTokens: Bool) {
        self.fullAccessKey = fullAccessKey
        self.readOnlyKey = readOnlyKey
        tokens = acceptTokens ? fullAccessKey.map(JSONWebTokenVerifier.init(secret:)) : nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard fullAccessKey != nil || readOnlyKey != nil else {
            return try await next(request, context)
        }
        let presented = request.headers[Self.apiKeyHeader] ?? Self.bearerToken(request.headers[.authorization])
        guard let presented else {
            return try await AccessGrant.$current.withValue(.anonymous) { try await next(request, context) }
        }
        return try await AccessGrant.$current.withValue(grant(for: presented)) { try await next(request, context) }
    }

    func grant(for presented: String) -> AccessGrant {
        if let fullAccessKey, Self.constantTimeEqual(presented, fullAccessKey) { return .fullAccessKey }
        if let readOnlyKey, Self.constantTimeEqual(presented, readOnlyKey) { return .readOnlyKey }
        if let tokens, JSONWebTokenVerifier.looksLikeToken(presented) {
            do { return try tokens.grant(for: presented) } catch { return .refused("Invalid token: \(error)") }
        }
        return .refused("Invalid API key or bearer token")
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

