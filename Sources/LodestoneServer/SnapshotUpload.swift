import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A snapshot upload: the request body streamed to a file (never held in memory), then the
/// snapshot's bytes located in it, either the whole body or the `snapshot` part of a
/// `multipart/form-data` body as qdrant-client and `curl -F snapshot=@FILE` send it.
enum SnapshotUpload {
    /// Streams the body to `file` through NIO's file system (no blocking write on an event
    /// loop), refusing more than `limit` bytes.
    static func receive(_ request: Request, into file: URL, limit: Int, context: BasicRequestContext) async throws {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(limit)
        }
        try await FileIO().writeFile(contents: SizeLimitedBody(base: request.body, limit: limit), path: file.path, context: context)
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(status: .contentTooLarge, message: "Wrong input: the snapshot is larger than max_snapshot_upload_bytes (\(limit) bytes)")
    }

    /// The snapshot inside the received body (memory-mapped).
    static func snapshotBytes(in file: URL, contentType: String?) throws -> Data {
        let body = try Data(contentsOf: file, options: .alwaysMapped)
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
            guard !body.isEmpty else { throw APIError.badRequest("the body must be the snapshot file, or a multipart form with a `snapshot` file field") }
            return body
        }
        guard let boundary = parameter("boundary", in: contentType) else {
            throw APIError.badRequest("the multipart content-type has no boundary")
        }
        return try part(named: "snapshot", in: body, boundary: boundary)
    }

    /// The body of the form field `name`: parts are `--BOUNDARY CRLF headers CRLF CRLF body
    /// CRLF` and the form ends with `--BOUNDARY--`.
    static func part(named name: String, in body: Data, boundary: String) throws -> Data {
        let delimiter = Data("--\(boundary)".utf8)
        let separator = Data("\r\n\r\n".utf8)
        let nextDelimiter = Data("\r\n--\(boundary)".utf8)
        guard var cursor = body.range(of: delimiter)?.upperBound else {
            throw APIError.badRequest("the multipart body does not contain its boundary")
        }
        var fields: [String] = []
        while cursor + 2 <= body.endIndex, body[cursor ..< cursor + 2] != Data("--".utf8) {
            guard let headersEnd = body.range(of: separator, in: cursor ..< body.endIndex) else { break }
            let headers = String(decoding: body[cursor ..< headersEnd.lowerBound], as: UTF8.self)
            let field = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") }
                .flatMap { parameter("name", in: String($0)) }
            guard let end = body.range(of: nextDelimiter, in: headersEnd.upperBound ..< body.endIndex) else {
                throw APIError.badRequest("the multipart part `\(field ?? "?")` is not terminated by its boundary")
            }
            if field == name { return body[headersEnd.upperBound ..< end.lowerBound] }
            fields.append(field ?? "?")
            cursor = end.upperBound
        }
        throw APIError.badRequest("the multipart form has no `\(name)` field (it has \(fields.isEmpty ? "none" : fields.map { "`\($0)`" }.joined(separator: ", ")))")
    }

    /// `key=value` or `key="value"` from a header value's `;`-separated parameters.
    static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            return pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
        }
        return nil
    }
}

/// The request body, refusing to pass more than `limit` bytes.
struct SizeLimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        var total = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            total += buffer.readableBytes
            if total > limit { throw SnapshotUpload.tooLarge(limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit) }
}
