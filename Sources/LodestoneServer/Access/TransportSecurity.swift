import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// HTTPS with `--tls-cert` / `--tls-key` (PEM files): the same routes, behind swift-nio-ssl.
enum TransportSecurity {
    static func serverBuilder(_ configuration: ServerConfiguration) throws(TransportSecurityError) -> HTTPServerBuilder {
        guard let certificatePath = configuration.tlsCertificate, let keyPath = configuration.tlsKey else { return .http1() }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch { throw .unreadable("tls_cert", certificatePath) }
        guard !chain.isEmpty else { throw .unreadable("tls_cert", certificatePath) }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch { throw .unreadable("tls_key", keyPath) }
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do { return try .tls(.http1(), tlsConfiguration: tls) } catch { throw .refused("\(error)") }
    }
}

public enum TransportSecurityError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case refused(String)

    public var description: String {
        switch self {
        case let .unreadable(setting, path): "\(setting) \(path) is not a readable PEM file (a certificate chain for tls_cert, a private key for tls_key)"
        case let .refused(why): "the TLS settings cannot be used: \(why)"
        }
    }
}
