import Foundation
import Storage

/// The one encoding of the JSON records this module keeps in the catalog environment (model
/// versions, builds, evaluations): a 4-byte magic and a 2-byte version, then sorted-key JSON
/// with ISO-8601 dates. Decoding checks the header first.
struct CatalogRecordCoding<Record: Codable>: Sendable {
    let magic: [UInt8]
    let what: String

    init(magic: String, what: String) {
        precondition(magic.utf8.count == 4, "record magic numbers are 4 bytes")
        self.magic = Array(magic.utf8) + [1, 0]
        self.what = what
    }

    func encode(_ record: Record) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return magic + Array(try encoder.encode(record))
    }

    func decode(_ bytes: [UInt8]) throws -> Record {
        guard bytes.count > magic.count, Array(bytes.prefix(magic.count)) == magic else {
            throw StorageError.corruptRecord("\(what) record without its magic number")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Record.self, from: Data(bytes.dropFirst(magic.count)))
    }
}
