import Foundation

/// The committed OpenAPI 3 description of every route (`openapi.json` beside this file).
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return Array(#"{"error":"openapi.json missing from the build"}"#.utf8) }
        return Array(data)
    }()
}

/// The monitoring page (`dashboard.html` beside this file): static HTML and JS over the JSON routes.
enum DashboardPage {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "dashboard", withExtension: "html"),
              let data = try? Data(contentsOf: url) else { return Array("<p>dashboard.html missing from the build</p>".utf8) }
        return Array(data)
    }()
}
