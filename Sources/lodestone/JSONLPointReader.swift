import Foundation
import Storage

/// Reads points from a JSON Lines file a batch at a time, validating every line of a batch
/// before the batch is handed out, so a bad line never leaves half a batch written.
final class JSONLPointReader {
    struct Batch {
        var points: [PointInput]
        var bytesRead: Int
    }

    let url: URL
    let byteCount: Int
    private let lines: [Substring]
    private var nextLine = 0
    private var bytesRead = 0

    init(url: URL) throws {
        self.url = url
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImportError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        byteCount = data.count
        let text = String(decoding: data, as: UTF8.self)
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func next(maximum: Int) throws -> Batch? {
        var points: [PointInput] = []
        while points.count < maximum, nextLine < lines.count {
            let line = lines[nextLine]
            nextLine += 1
            bytesRead += line.utf8.count + 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            do {
                points.append(try Self.point(from: trimmed))
            } catch {
                throw ImportError.malformedLine(path: url.path, line: nextLine, reason: "\(error)")
            }
            if let first = points.first, points.last!.vector.count != first.vector.count {
                throw ImportError.malformedLine(path: url.path, line: nextLine,
                                               reason: "vector has \(points.last!.vector.count) dimensions, earlier lines have \(first.vector.count)")
            }
        }
        return points.isEmpty ? nil : Batch(points: points, bytesRead: min(bytesRead, byteCount))
    }

    static func point(from line: String) throws -> PointInput {
        let value = try JSONValue(parsing: line)
        guard case let .object(fields) = value else { throw ImportError.reason("the line is not a JSON object") }
        let id: PointID
        switch fields["id"] {
        case let .int(number)? where number >= 0: id = .number(UInt64(number))
        case let .string(text)?:
            guard let parsed = PointID(uuidString: text) else { throw ImportError.reason("\"id\" '\(text)' is not a UUID") }
            id = parsed
        case nil: throw ImportError.reason("missing \"id\"")
        default: throw ImportError.reason("\"id\" must be an unsigned integer or a UUID string")
        }
        // A text document may leave its vector to the model `import --model` embeds it with.
        if fields["vector"] == nil, case .string? = fields["text"] {} else {
            guard case .array? = fields["vector"] else { throw ImportError.reason("missing \"vector\" (an array of numbers)") }
        }
        let components: [JSONValue]
        if case let .array(values)? = fields["vector"] { components = values } else { components = [] }
        let vector = try components.map { component -> Float in
            switch component {
            case let .int(number): return Float(number)
            case let .double(number): return Float(number)
            default: throw ImportError.reason("\"vector\" must contain only numbers")
            }
        }
        let payload = fields["payload"] ?? .object([:])
        if case .null = payload {} else if case .object = payload {} else {
            throw ImportError.reason("\"payload\" must be a JSON object")
        }
        var text: String?
        if let value = fields["text"] {
            guard case let .string(string) = value else { throw ImportError.reason("\"text\" must be a string") }
            text = string
        }
        if case .null = payload { return PointInput(id: id, vector: vector, payload: .object([:]), text: text) }
        return PointInput(id: id, vector: vector, payload: payload, text: text)
    }
}

enum ImportError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformedLine(path: String, line: Int, reason: String)
    case reason(String)

    var description: String {
        switch self {
        case let .unreadable(path, reason): "\(path): cannot read the file (\(reason))"
        case let .malformedLine(path, line, reason): "\(path):\(line): \(reason); nothing from this line's batch was written"
        case let .reason(text): text
        }
    }
}
