import Embeddings
import Lifecycle
import Storage

/// Qdrant's server-side BM25 (`{"text", "model": "qdrant/bm25", "options"}`): documents become
/// term frequencies with their length, kept as they are so scores use the collection's live
/// average length and IDF at query time; queries become their distinct terms.
enum BM25Inference {
    static func matches(_ model: String) -> Bool { model.lowercased() == "qdrant/bm25" }

    struct Options {
        var encoder: BM25Encoder
        var parameters: BM25Parameters
    }

    /// Qdrant's options `k`, `b`, `avg_len` and `language`; any other is refused.
    static func options(_ value: JSONValue?) throws -> Options {
        guard let value, !value.isNull else { return Options(encoder: BM25Encoder(), parameters: BM25Parameters()) }
        let fields = try JSONFields(value, context: "bm25 `options`")
        try fields.refuseUnknown(allowed: ["k", "b", "avg_len", "language"])
        var parameters = BM25Parameters()
        if let k = try fields.double("k") {
            guard k > 0 else { throw APIError.badRequest("bm25 option `k` must be positive") }
            parameters.k1 = Float(k)
        }
        if let b = try fields.double("b") {
            guard (0 ... 1).contains(b) else { throw APIError.badRequest("bm25 option `b` must be between 0 and 1") }
            parameters.b = Float(b)
        }
        if let length = try fields.double("avg_len") {
            guard length > 0 else { throw APIError.badRequest("bm25 option `avg_len` must be positive") }
            parameters.averageLength = Float(length)
        }
        let tokenizer = try BM25Tokenizer(language: try fields.string("language") ?? "english")
        return Options(encoder: BM25Encoder(tokenizer: tokenizer), parameters: parameters)
    }

    static func document(_ text: String, options: JSONValue?) throws -> SparseVectorValue {
        let frequencies = try self.options(options).encoder.termFrequencies(text)
        return try SparseVectorValue(indices: frequencies.indices, values: frequencies.values, length: Float(frequencies.length))
    }

    static func query(_ text: String, options: JSONValue?) throws -> QueryVector {
        let parsed = try self.options(options)
        let terms = parsed.encoder.queryTerms(text)
        return .bm25(terms: try SparseVectorValue(indices: terms.indices, values: terms.values), parameters: parsed.parameters)
    }
}
