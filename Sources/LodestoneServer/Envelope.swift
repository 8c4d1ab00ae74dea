import Foundation
import HTTPTypes
import Hummingbird
import Lifecycle
import NIOCore
import Storage

/// Qdrant's response envelope: `{"result": ..., "status": "ok", "time": seconds}` and, for
/// errors, `{"status": {"error": "..."}, "result": null, "time": seconds}`.
enum Envelope {
    static func ok(_ result: JSONValue, since start: ContinuousClock.Instant, status: HTTPResponse.Status = .ok) -> Response {
        json(.object(["result": result, "status": "ok", "time": elapsed(since: start)]), status: status)
    }

    static func error(_ error: APIError, since start: ContinuousClock.Instant) -> Response {
        var response = json(.object([
            "status": .object(["error": .string(error.message)]),
            "result": .null,
            "time": elapsed(since: start),
        ]), status: error.status)
        if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
        return response
    }

    /// A gate's refusal: 409 with the message and the gate's numbers as the result.
    static func refused(_ message: String, result: JSONValue, since start: ContinuousClock.Instant) -> Response {
        json(["status": ["error": .string(message)], "result": result, "time": elapsed(since: start)], status: .conflict)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.jsonBytes)))
    }

    static func elapsed(since start: ContinuousClock.Instant) -> JSONValue {
        .double((ContinuousClock.now - start).seconds)
    }
}
