import Foundation
import HTTPTypes

/// Over HTTP a caller may name a server path (a model directory, an evaluation dataset) only
/// inside the configured `artifacts_import_root`: anything else on the server's disk is not
/// the caller's to read. The CLI, run on the server by its operator, has no such limit.
struct ImportRoot: Sendable {
    let root: URL?

    init(_ path: String?) { root = path.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath() } }

    /// The path, resolved, when it lies inside the root; otherwise a 403 saying what to do.
    func check(_ path: String, what: String, instead: String) throws -> URL {
        guard let root else {
            throw APIError(status: .forbidden, message: "Forbidden: \(what) by server path is accepted over HTTP only inside the server's "
                           + "configured artifacts_import_root (--artifacts-import-root), which is not set; \(instead)")
        }
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        guard resolved.path == root.path || resolved.path.hasPrefix(root.path + "/") else {
            throw APIError(status: .forbidden, message: "Forbidden: `\(path)` is outside the server's artifacts_import_root; \(instead)")
        }
        return resolved
    }
}
