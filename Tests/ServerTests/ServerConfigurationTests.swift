import Foundation
import LodestoneServer
import Testing

@Suite struct ServerConfigurationTests {
    private func decode(_ json: String) throws -> ServerConfiguration {
        try JSONDecoder().decode(ServerConfiguration.self, from: Data(json.utf8))
    }

    @Test("a config file's settings are read, and the rest keep their defaults")
    func knownSettings() throws {
        let configuration = try decode(#"{"index_image_changes": 500, "telemetry_interval_seconds": 2, "search_queue": 9}"#)
        #expect(configuration.indexImageChanges == 500)
        #expect(configuration.telemetryIntervalSeconds == 2)
        #expect(configuration.searchQueue == 9)
        #expect(configuration.indexBacklog == ServerConfiguration().indexBacklog)
    }

    @Test("a misspelt or unknown setting is refused with its name, never ignored")
    func unknownSettings() throws {
        do {
            _ = try decode(#"{"index_image_change": 500}"#)
            Issue.record("an unknown setting was accepted")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains("unknown setting `index_image_change`"))
            #expect(context.debugDescription.contains("index_image_changes"))
        }
    }

    @Test("out-of-range telemetry settings are refused")
    func telemetryRange() {
        #expect(throws: DecodingError.self) { try decode(#"{"telemetry_interval_seconds": 0}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"telemetry_interval_seconds": 10, "telemetry_retention_seconds": 5}"#) }
    }

    @Test("an empty key, equal keys, or tokens without a key to sign them are refused at start")
    func accessSettings() throws {
        #expect(throws: AccessConfigurationError.self) { try decode(#"{"api_key": ""}"#).validateAccess() }
        #expect(throws: AccessConfigurationError.self) { try decode(#"{"api_key": "  "}"#).validateAccess() }
        #expect(throws: AccessConfigurationError.self) { try decode(#"{"read_only_api_key": ""}"#).validateAccess() }
        #expect(throws: AccessConfigurationError.self) { try decode(#"{"api_key": "k", "read_only_api_key": "k"}"#).validateAccess() }
        #expect(throws: AccessConfigurationError.self) { try decode(#"{"jwt": true}"#).validateAccess() }
        try decode(#"{"api_key": "secret", "read_only_api_key": "reader", "jwt": true}"#).validateAccess()
        try ServerConfiguration().validateAccess()
    }
}
