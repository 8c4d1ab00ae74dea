import ArgumentParser
import Foundation
import Lifecycle
import Storage
import VectorFormats

/// Measures the JSON hot path on the bodies the server sees most: an upsert batch of vectors
/// (as Python's json.dumps writes them, 17-digit doubles) and a search response with vectors,
/// next to Foundation's JSONSerialization on the same bytes in the same run.
struct JSONBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-json",
        abstract: "Benchmark: parse an upsert body and write a search response, vs Foundation's JSONSerialization."
    )

    @Option(help: "Points in the upsert body and hits in the response.") var points: Int = 256
    @Option(help: "Dimension.") var dim: Int = 384
    @Option(help: "Repetitions of each measurement.") var repeats: Int = 30
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let values = SyntheticVectors(dimension: dim, normalized: true, seed: 5).generate(count: points)
        let vectors = (0 ..< points).map { Array(values[($0 * dim) ..< (($0 + 1) * dim)]) }
        let body = Self.upsertBody(vectors)
        let response = JSONValue.object(["result": .array(vectors.enumerated().map { index, vector in
            .object(["id": .int(Int64(index)), "version": 0, "score": .float(1 - Float(index) / Float(points)),
                     "payload": ["title": .string("document \(index)")], "vector": .array(vector.map(JSONValue.float))])
        }), "status": "ok", "time": 0.001])

        let parse = try Self.best(repeats) {
            let value = try JSONValue(parsing: body)
            guard case let .array(parsed)? = value["points"] else { throw ValidationError("no points") }
            let floats = parsed.compactMap { $0["vector"]?.arrayValue?.compactMap { $0.numericValue.map(Float.init) } }
            precondition(floats.count == points)
        }
        let foundationBody = Data(body)
        let foundationParse = try Self.best(repeats) {
            let value = try JSONSerialization.jsonObject(with: foundationBody) as? [String: Any]
            let parsed = value?["points"] as? [[String: Any]] ?? []
            let floats = parsed.compactMap { ($0["vector"] as? [NSNumber])?.map(\.floatValue) }
            precondition(floats.count == points)
        }
        var responseBytes = 0
        let write = Self.best(repeats) { responseBytes = response.jsonBytes.count }
        let foundationResponse = Self.foundationObject(response)
        var foundationBytes = 0
        let foundationWrite = try Self.best(repeats) { foundationBytes = try JSONSerialization.data(withJSONObject: foundationResponse).count }

        let megabytes = Double(body.count) / 1e6
        if json {
            let result: [String: Any] = [
                "body_bytes": body.count, "parse_mb_per_s": megabytes / parse, "foundation_parse_mb_per_s": megabytes / foundationParse,
                "parse_ratio": foundationParse / parse, "response_bytes": responseBytes, "foundation_response_bytes": foundationBytes,
                "write_ratio": foundationWrite / write,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: .sortedKeys), as: UTF8.self))
        } else {
            print("upsert body \(points) x \(dim) (\(body.count) bytes): parse + to [Float] \(String(format: "%.0f", megabytes / parse)) MB/s, "
                + "Foundation \(String(format: "%.0f", megabytes / foundationParse)) MB/s (x\(String(format: "%.2f", foundationParse / parse)))")
            print("search response \(points) hits with vectors: \(responseBytes) bytes in \(String(format: "%.2f", write * 1e3)) ms, "
                + "Foundation \(foundationBytes) bytes in \(String(format: "%.2f", foundationWrite * 1e3)) ms (x\(String(format: "%.2f", foundationWrite / write)))")
        }
    }

    /// The body qdrant-client sends: each float32 component widened to a double and printed
    /// with Python's repr (17 significant digits for most values).
    static func upsertBody(_ vectors: [[Float]]) -> [UInt8] {
        var text = #"{"points":["#
        for (index, vector) in vectors.enumerated() {
            if index > 0 { text += "," }
            text += #"{"id":\#(index),"payload":{"title":"document \#(index)"},"vector":["#
            text += vector.map { Double($0).description }.joined(separator: ",")
            text += "]}"
        }
        return Array((text + "]}").utf8)
    }

    static func foundationObject(_ value: JSONValue) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let flag): flag
        case .int(let number): number
        case .double(let number): number
        case .float(let number): number
        case .string(let text): text
        case .array(let elements): elements.map(foundationObject)
        case .object(let members): members.mapValues(foundationObject)
        }
    }

    /// The fastest of `repeats` runs, in seconds: the least disturbed by other work.
    static func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var fastest = Double.infinity
        for _ in 0 ..< repeats {
            let start = ContinuousClock.now
            try body()
            fastest = min(fastest, (ContinuousClock.now - start).seconds)
        }
        return fastest
    }
}
