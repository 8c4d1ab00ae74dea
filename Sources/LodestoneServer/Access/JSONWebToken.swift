import Crypto
import Foundation
import Storage

/// Qdrant's JWT access tokens: HS256, signed with the server's API key, whose `access` claim
/// grants global read (`"r"`) or manage (`"m"`) rights, or a list of
/// `{"collection": C, "access": "r" | "rw"}`; `exp` and `nbf` are honoured when present.
struct JSONWebTokenVerifier: Sendable {
    /// The API key's bytes; `SymmetricKey` is not `Sendable`, so it is made per token.
    private let secret: [UInt8]

    init(secret: String) { self.secret = Array(secret.utf8) }

    /// Why a token was refused; each message tells the caller what to change.
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case unsupportedAlgorithm(String)
        case badSignature
        case expired
        case notYetValid
        case invalidClaim(String)

        var description: String {
            switch self {
            case .malformed(let why): "malformed JWT: \(why)"
            case .unsupportedAlgorithm(let alg): "JWT algorithm `\(alg)` is not accepted; sign with HS256 and the server's API key"
            case .badSignature: "JWT signature does not verify; sign with HS256 and the server's API key"
            case .expired: "JWT has expired (`exp` is in the past); ask for a new token"
            case .notYetValid: "JWT is not valid yet (`nbf` is in the future)"
            case .invalidClaim(let why): "JWT claim refused: \(why)"
            }
        }
    }

    /// A JWT has three dot-separated base64url parts; API keys normally do not.
    static func looksLikeToken(_ text: String) -> Bool {
        text.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2
    }

    func grant(for token: String, now: Date = Date()) throws(Refusal) -> AccessGrant {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("expected header.payload.signature") }
        let header = try Self.object(parts[0], "header")
        guard let algorithm = header["alg"]?.stringValue else { throw .malformed("the header has no `alg`") }
        guard algorithm == "HS256" else { throw .unsupportedAlgorithm(algorithm) }
        guard let signature = Self.base64URLDecoded(parts[2]) else { throw .malformed("the signature is not base64url") }
        let signed = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: SymmetricKey(data: secret)) else { throw .badSignature }

        let claims = try Self.object(parts[1], "payload")
        let seconds = now.timeIntervalSince1970
        if let exp = claims["exp"] {
            guard let value = exp.numericValue else { throw .invalidClaim("`exp` must be a number of seconds since 1970") }
            guard seconds < value else { throw .expired }
        }
        if let nbf = claims["nbf"] {
            guard let value = nbf.numericValue else { throw .invalidClaim("`nbf` must be a number of seconds since 1970") }
            guard seconds >= value else { throw .notYetValid }
        }
        // Claims that would narrow access in Qdrant: ignoring them would grant more than meant.
        for narrowing in ["value_exists", "payload"] where claims[narrowing] != nil {
            throw .invalidClaim("`\(narrowing)` is not supported by this server; issue a token without it")
        }
        let subject = claims["sub"]?.stringValue.map { "jwt:\($0)" } ?? "jwt"
        switch claims["access"] {
        case .string("r")?: return AccessGrant(global: .read, collections: [:], principal: subject)
        case .string("m")?: return AccessGrant(global: .manage, collections: [:], principal: subject)
        case .array(let entries)?:
            var rights: [String: AccessGrant.CollectionRight] = [:]
            for entry in entries {
                guard let object = entry.objectValue, let collection = object["collection"]?.stringValue,
                      let access = object["access"]?.stringValue else {
                    throw .invalidClaim("each `access` entry must be {\"collection\": NAME, \"access\": \"r\" or \"rw\"}")
                }
                guard let right = AccessGrant.CollectionRight(rawValue: access) else {
                    throw .invalidClaim("collection access `\(access)` for `\(collection)` must be \"r\" or \"rw\"")
                }
                if rights[collection] != .readWrite { rights[collection] = right }
            }
            return AccessGrant(global: .none, collections: rights, principal: subject)
        case nil: throw .invalidClaim("the token has no `access` claim; give \"r\", \"m\" or a list of collection rights")
        default: throw .invalidClaim("`access` must be \"r\", \"m\" or a list of {\"collection\", \"access\"}")
        }
    }

    private static func object(_ part: Substring, _ what: String) throws(Refusal) -> [String: JSONValue] {
        guard let data = base64URLDecoded(part) else { throw .malformed("the \(what) is not base64url") }
        guard let value = try? JSONValue(parsing: Array(data)), let object = value.objectValue else {
            throw .malformed("the \(what) is not a JSON object")
        }
        return object
    }

    static func base64URLDecoded(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
