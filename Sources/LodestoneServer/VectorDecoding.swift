import Lifecycle
import Storage

/// Where a vector comes from: given (dense or sparse), or made from text by a served model or
/// by BM25 (Qdrant's inference object `{"text", "model", "options"}`, or plain text for the
/// collection's bound model).
enum VectorSource: Sendable {
    case dense([Float])
    case sparse(SparseVectorValue)
    case document(text: String, model: String, options: JSONValue?)

    /// An inference object has string `text` and `model` and nothing else but `options`.
    static func document(in fields: [String: JSONValue]) -> (text: String, model: String, options: JSONValue?)? {
        guard let text = fields["text"]?.stringValue, let model = fields["model"]?.stringValue,
              Set(fields.keys).subtracting(["text", "model", "options"]).isEmpty else { return nil }
        return (text, model, fields["options"])
    }

    /// `{"indices": [...], "values": [...]}` and nothing else.
    static func isSparse(_ fields: [String: JSONValue]) -> Bool {
        fields["indices"] != nil && fields["values"] != nil && fields.count == 2
    }

    /// One vector: a list of numbers, a sparse object, an inference object or plain text.
    static func decode(_ value: JSONValue, field: String) throws -> VectorSource {
        switch value {
        case let .object(fields):
            if let document = document(in: fields) { return .document(text: document.text, model: document.model, options: document.options) }
            if isSparse(fields) { return .sparse(try WireFormat.sparseVector(fields, field: field)) }
            throw APIError.badRequest("`\(field)` must be a list of numbers, {\"indices\", \"values\"} or {\"text\", \"model\"}")
        case let .string(text):
            // Plain text: embedded with the collection's bound model (checked when resolved).
            return .document(text: text, model: "", options: nil)
        default:
            return .dense(try WireFormat.vector(value, field: field))
        }
    }
}

/// A point's vectors as sent: the unnamed one, or a map of named ones.
struct DraftVectors: Sendable {
    var unnamed: VectorSource?
    var named: [String: VectorSource] = [:]

    /// `vector` of a point: a list (the unnamed vector), plain text, an inference object, or a
    /// map of vector names to any of those or sparse vectors.
    static func decode(_ value: JSONValue, field: String) throws -> DraftVectors {
        if case let .object(fields) = value, VectorSource.document(in: fields) == nil {
            var named: [String: VectorSource] = [:]
            for (name, vector) in fields { named[name] = try VectorSource.decode(vector, field: "\(field).\(name)") }
            return DraftVectors(unnamed: nil, named: named)
        }
        return DraftVectors(unnamed: try VectorSource.decode(value, field: field))
    }

    /// Whether a served embedding model embeds any of these (BM25 documents do not count): the
    /// write must then be checked against the collection's model binding.
    var needsEmbeddingModel: Bool {
        ([unnamed].compactMap { $0 } + Array(named.values)).contains { source in
            if case let .document(_, model, _) = source { !BM25Inference.matches(model) } else { false }
        }
    }
}

struct PointDraft: Sendable {
    var id: PointID
    var vectors: DraftVectors
    var payload: JSONValue
}

extension WireFormat {
    static func sparseVector(_ fields: [String: JSONValue], field: String) throws -> SparseVectorValue {
        guard case let .array(indexValues)? = fields["indices"], case let .array(valueValues)? = fields["values"] else {
            throw APIError.badRequest("`\(field)` needs `indices` and `values` lists")
        }
        let indices = try indexValues.enumerated().map { position, value -> UInt32 in
            guard case let .int(number) = value, number >= 0, number <= Int64(UInt32.max) else {
                throw APIError.badRequest("`\(field).indices[\(position)]` must be an integer between 0 and \(UInt32.max)")
            }
            return UInt32(number)
        }
        let values = try vector(.array(valueValues), field: "\(field).values")
        do { return try SparseVectorValue(indices: indices, values: values) } catch {
            throw APIError.badRequest("`\(field)`: \(error)")
        }
    }
}
