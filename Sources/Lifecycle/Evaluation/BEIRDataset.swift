import Foundation
import Storage

/// A retrieval test set in BEIR's layout: `corpus.jsonl` ({"_id", "title", "text"}),
/// `queries.jsonl` ({"_id", "text"}) and `qrels/test.tsv` (query-id, corpus-id, score).
public struct BEIRDataset: Sendable {
    public struct Document: Sendable { public var id: String; public var text: String }
    public struct Query: Sendable { public var id: String; public var text: String }

    public let name: String
    public let corpus: [Document]
    /// Only queries that have at least one relevant document in the qrels.
    public let queries: [Query]
    /// query id -> corpus id -> graded relevance (> 0).
    public let relevance: [String: [String: Int]]

    /// The queries an evaluation of the set at `directory` scored, in its order (those with a
    /// relevance judgement), without reading the corpus.
    public static func judgedQueries(directory: URL) throws -> [Query] {
        let qrels = try String(contentsOf: directory.appendingPathComponent("qrels/test.tsv"), encoding: .utf8)
        var judged = Set<String>()
        for (number, line) in qrels.split(separator: "\n").enumerated() {
            let columns = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            if number == 0, columns.first == "query-id" { continue }
            if columns.count >= 3, let score = Int(columns[2]), score > 0 { judged.insert(columns[0]) }
        }
        let file = directory.appendingPathComponent("queries.jsonl")
        return try jsonLines(file).map { fields, line in
            Query(id: try string(fields, "_id", file: file, line: line), text: try string(fields, "text", file: file, line: line))
        }.filter { judged.contains($0.id) }
    }

    /// The BEIR files a dataset is made of, relative to its directory.
    public static let files = ["corpus.jsonl", "queries.jsonl", "qrels/test.tsv"]

    /// `name` labels reports; by default the directory's name.
    public init(directory: URL, name: String? = nil) throws {
        self.name = name ?? directory.standardizedFileURL.lastPathComponent
        let corpusFile = directory.appendingPathComponent("corpus.jsonl")
        corpus = try Self.jsonLines(corpusFile).map { fields, line in
            let id = try Self.string(fields, "_id", file: corpusFile, line: line)
            let title = fields["title"]?.stringValue ?? ""
            let text = fields["text"]?.stringValue ?? ""
            return Document(id: id, text: title.isEmpty ? text : "\(title). \(text)")
        }
        let qrelsFile = directory.appendingPathComponent("qrels/test.tsv")
        var relevance: [String: [String: Int]] = [:]
        guard let qrels = try? String(contentsOf: qrelsFile, encoding: .utf8) else {
            throw EvaluationError.unreadable(path: qrelsFile.path)
        }
        for (number, line) in qrels.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let columns = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !columns.isEmpty, !(columns.count == 1 && columns[0].isEmpty) else { continue }
            if number == 0, columns.first == "query-id" { continue }
            guard columns.count >= 3, let score = Int(columns[2]) else {
                throw EvaluationError.malformed(path: qrelsFile.path, line: number + 1, reason: "expected query-id<TAB>corpus-id<TAB>score")
            }
            if score > 0 { relevance[columns[0], default: [:]][columns[1]] = score }
        }
        self.relevance = relevance
        let queriesFile = directory.appendingPathComponent("queries.jsonl")
        queries = try Self.jsonLines(queriesFile).map { fields, line in
            Query(id: try Self.string(fields, "_id", file: queriesFile, line: line), text: try Self.string(fields, "text", file: queriesFile, line: line))
        }.filter { relevance[$0.id] != nil }
        guard !corpus.isEmpty else { throw EvaluationError.empty(what: "corpus", path: corpusFile.path) }
        guard !queries.isEmpty else { throw EvaluationError.empty(what: "queries with relevance judgements", path: queriesFile.path) }
    }

    static func jsonLines(_ file: URL) throws -> [([String: JSONValue], Int)] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { throw EvaluationError.unreadable(path: file.path) }
        var rows: [([String: JSONValue], Int)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            guard case let .object(fields)? = try? JSONValue(parsing: trimmed) else {
                throw EvaluationError.malformed(path: file.path, line: number + 1, reason: "not a JSON object")
            }
            rows.append((fields, number + 1))
        }
        return rows
    }

    static func string(_ fields: [String: JSONValue], _ key: String, file: URL, line: Int) throws -> String {
        if let text = fields[key]?.stringValue { return text }
        if let number = fields[key], case let .int(value) = number { return String(value) }
        throw EvaluationError.malformed(path: file.path, line: line, reason: "missing string `\(key)`")
    }
}

public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case malformed(path: String, line: Int, reason: String)
    case empty(what: String, path: String)

    public var description: String {
        switch self {
        case let .unreadable(path): "\(path): missing or unreadable (a BEIR set has corpus.jsonl, queries.jsonl and qrels/test.tsv)"
        case let .malformed(path, line, reason): "\(path):\(line): \(reason)"
        case let .empty(what, path): "\(path): no \(what)"
        }
    }
}
