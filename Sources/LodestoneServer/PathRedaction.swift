import Foundation

/// Error bodies go to callers, who should not learn the server's file layout: a lower layer's
/// message that names a file under the data directory says it relative to the directory.
/// The log keeps the full message.
struct PathRedaction: Sendable {
    private let prefixes: [String]

    init(dataDirectory: URL) {
        let given = dataDirectory.standardizedFileURL.path
        let resolved = dataDirectory.resolvingSymlinksInPath().path
        prefixes = Array(Set([given, resolved].filter { $0.count > 1 })).sorted { $0.count > $1.count }
    }

    func redact(_ message: String) -> String {
        var text = message
        for prefix in prefixes {
            text = text.replacingOccurrences(of: prefix + "/", with: "")
            text = text.replacingOccurrences(of: prefix, with: "the data directory")
        }
        return text
    }
}
