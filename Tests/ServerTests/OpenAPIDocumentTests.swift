import Foundation
import Lifecycle
import LodestoneServer
import Logging
import Testing

@Suite struct OpenAPIDocumentTests {
    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/LodestoneServer/openapi.json")

    @Test("every registered route is in the committed OpenAPI document, and every documented route is registered")
    func routesMatchDocument() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lodestone-openapi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory)
        let (_, registered) = makeRouter(configuration: ServerConfiguration(), engine: engine, logger: Logger(label: "test"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.documentURL)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.0.3")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let served = Set(registered.routes)
        #expect(served.count == registered.routes.count, "a route is registered twice")
        #expect(served.subtracting(documented).isEmpty, "undocumented routes: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        #expect(served.count >= 30)
    }

    @Test("what each served route needs (RouteAccess.table) is what the document's x-lodestone-access says")
    func accessMatchesDocument() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lodestone-openapi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory)
        let (_, registered) = makeRouter(configuration: ServerConfiguration(), engine: engine, logger: Logger(label: "test"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.documentURL)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var documented: [String: String] = [:]
        for (path, operations) in paths {
            for (method, operation) in operations { documented["\(method.uppercased()) \(path)"] = operation["x-lodestone-access"] as? String }
        }
        #expect(registered.access.count == registered.routes.count)
        for (route, access) in registered.access.sorted(by: { $0.key < $1.key }) {
            #expect(documented[route] == access, "\(route): served \(access), documented \(documented[route] ?? "nothing")")
        }
        // Only probes, the banner, the document and the console's files are open.
        let open = registered.access.filter { $0.value == "open" }.keys.sorted()
        #expect(open == ["GET /", "GET /dashboard", "GET /dashboard/{file}", "GET /healthz", "GET /livez", "GET /openapi.json", "GET /readyz"])
    }
}
