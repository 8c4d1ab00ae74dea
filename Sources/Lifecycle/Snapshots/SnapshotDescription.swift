import Foundation

/// One stored snapshot as Qdrant describes it (`SnapshotDescription`).
public struct SnapshotDescription: Codable, Sendable, Equatable {
    public var name: String
    /// UTC, `YYYY-MM-DDTHH:MM:SS` as Qdrant writes it.
    public var creationTime: String?
    public var size: Int
    /// Hex SHA-256 of the whole file.
    public var checksum: String?

    enum CodingKeys: String, CodingKey {
        case name, size, checksum
        case creationTime = "creation_time"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: date)
    }
}
