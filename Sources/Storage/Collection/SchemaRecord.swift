import Foundation

/// A schema as stored: the header, then its JSON (sorted keys, so equal schemas store equal).
enum SchemaRecord {
    static let header = RecordHeader("LSCH", version: 1, what: "collection schema")

    static func encode(_ schema: CollectionSchema) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        var writer = header.makeWriter()
        writer.append(contentsOf: try encoder.encode(schema))
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> CollectionSchema {
        let reader = try header.makeReader(bytes)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        do {
            return try decoder.decode(CollectionSchema.self, from: Data(bytes[reader.offset...]))
        } catch {
            throw StorageError.corruptRecord("collection schema: \(error)")
        }
    }
}
