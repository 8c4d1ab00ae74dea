import Foundation

/// The committed OpenAPI 3 description of every route (`openapi.json` beside this file).
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return Array(#"{"error":"openapi.json missing from the build"}"#.utf8) }
        return Array(data)
    }()
}

/// The console (the `console` directory beside this file): static HTML, CSS and JS over the
/// JSON routes, read once. `index.html` is `/dashboard`; the others are `/dashboard/NAME`.
enum ConsoleFiles {
    static let files: [String: [UInt8]] = {
        guard let directory = Bundle.module.url(forResource: "console", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [:] }
        var files: [String: [UInt8]] = [:]
        for name in names {
            if let data = try? Data(contentsOf: directory.appendingPathComponent(name)) { files[name] = Array(data) }
        }
        return files
    }()

    static var index: [UInt8] { files["index.html"] ?? Array("<p>the console is missing from the build</p>".utf8) }

    static func contentType(_ name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
