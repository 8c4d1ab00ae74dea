/// Text to the sparse term vectors of BM25, with the term ids of fastembed's
/// `Bm25` model: `abs(mmh3.hash(token))`, the 32-bit MurmurHash3 of the
/// token's UTF-8 bytes read as a signed integer, made non-negative. Using the
/// same ids means sparse vectors a client computed with fastembed and the
/// ones computed here land on the same dimensions.
///
/// Two stems with the same hash share a dimension, as they do in fastembed;
/// their counts add up.
public struct BM25Encoder: Sendable {
    public let tokenizer: BM25Tokenizer

    public init(tokenizer: BM25Tokenizer = BM25Tokenizer()) {
        self.tokenizer = tokenizer
    }

    /// How often each term occurs in `text`, sorted by term id, and the number
    /// of tokens after stop-word removal: the document length BM25 normalises
    /// term frequencies by.
    public func termFrequencies(_ text: String) -> (indices: [UInt32], values: [Float], length: Int) {
        let tokens = tokenizer.tokens(text)
        var counts: [UInt32: Float] = [:]
        for token in tokens { counts[Self.termIndex(of: token), default: 0] += 1 }
        let indices = counts.keys.sorted()
        return (indices, indices.map { counts[$0]! }, tokens.count)
    }

    /// The distinct terms of a query, each weighted 1, sorted by term id: a
    /// BM25 query only selects terms, since the weighting (term frequency,
    /// and IDF from the collection) lives in the document vectors.
    public func queryTerms(_ text: String) -> (indices: [UInt32], values: [Float]) {
        let indices = Set(tokenizer.tokens(text).map(Self.termIndex(of:))).sorted()
        return (indices, [Float](repeating: 1, count: indices.count))
    }

    /// The term id of a token. abs() of the smallest Int32 is 2³¹, which
    /// still fits a UInt32, where Python's arbitrary-precision abs puts it.
    public static func termIndex(of token: String) -> UInt32 {
        var token = token
        let hash = token.withUTF8 { MurmurHash3.hash32(UnsafeRawBufferPointer($0), seed: 0) }
        return Int32(bitPattern: hash).magnitude
    }
}

/// MurmurHash3 x86_32 (Austin Appleby's public-domain hash), what Python's
/// `mmh3.hash` computes.
enum MurmurHash3 {
    static func hash32(_ bytes: UnsafeRawBufferPointer, seed: UInt32) -> UInt32 {
        let c1: UInt32 = 0xCC9E_2D51
        let c2: UInt32 = 0x1B87_3593
        func scrambled(_ block: UInt32) -> UInt32 {
            (block &* c1).rotatedLeft(by: 15) &* c2
        }

        var hash = seed
        let blockCount = bytes.count / 4
        for blockIndex in 0..<blockCount {
            // Blocks are little-endian whatever the machine, as in mmh3.
            let block = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: blockIndex * 4, as: UInt32.self))
            hash ^= scrambled(block)
            hash = hash.rotatedLeft(by: 13) &* 5 &+ 0xE654_6B64
        }
        let tailStart = blockCount * 4
        var tail: UInt32 = 0
        for offset in stride(from: bytes.count - tailStart - 1, through: 0, by: -1) {
            tail = tail << 8 | UInt32(bytes[tailStart + offset])
        }
        if bytes.count > tailStart { hash ^= scrambled(tail) }

        hash ^= UInt32(truncatingIfNeeded: bytes.count)
        hash ^= hash >> 16
        hash = hash &* 0x85EB_CA6B
        hash ^= hash >> 13
        hash = hash &* 0xC2B2_AE35
        hash ^= hash >> 16
        return hash
    }
}

extension UInt32 {
    fileprivate func rotatedLeft(by count: UInt32) -> UInt32 {
        self << count | self >> (32 - count)
    }
}
