import Foundation
import Storage
import VectorIndex

/// A query vector for one of a collection's vectors.
public enum QueryVector: Sendable, Hashable {
    case dense([Float])
    case sparse(SparseVectorValue)
    /// BM25 query terms for a sparse vector holding term frequencies: scored with the live
    /// IDF and average document length (or the given one), as Lucene and tantivy do.
    case bm25(terms: SparseVectorValue, parameters: BM25Parameters)
}

/// BM25's saturation `k1` and length normalisation `b`; `averageLength` nil uses the index's
/// live average document length.
public struct BM25Parameters: Sendable, Hashable {
    public var k1: Float
    public var b: Float
    public var averageLength: Float?

    public init(k1: Float = 1.2, b: Float = 0.75, averageLength: Float? = nil) {
        self.k1 = k1
        self.b = b
        self.averageLength = averageLength
    }
}

/// A point's vector as the index of one vector name takes it.
enum StoredVector: Sendable {
    case dense([Float])
    case sparse(SparseVectorValue)
}

/// A search result before payloads are read: an internal id and its Qdrant score.
public struct ScoredID: Sendable, Hashable {
    public var id: UInt32
    public var score: Float

    public init(id: UInt32, score: Float) {
        self.id = id
        self.score = score
    }
}

/// The points a filter admits, as the index sees them: membership for the per-node check
/// inside a graph or posting walk, and the sorted ids for an exact scan when they are few.
struct CandidateSet: @unchecked Sendable {
    // @unchecked: a checked set holds its filter scope's read transaction and is used only on
    // the thread that runs the search inside that scope.
    private enum Form {
        case listed(InternalIDSet)
        case checked(FilterMembership)
    }

    private let form: Form

    init(_ access: FilterAccess) {
        switch access {
        case let .matches(ids): form = .listed(ids)
        case let .membership(membership): form = .checked(membership)
        }
    }

    /// The matches when the planner listed them (few enough for an exact scan).
    var listedIDs: [UInt32]? {
        if case let .listed(ids) = form { ids.sortedIDs } else { nil }
    }

    /// How many points match, exactly when listed, else the planner's estimate.
    var estimatedCount: Int {
        switch form {
        case let .listed(ids): ids.count
        case let .checked(membership): membership.estimatedCount
        }
    }

    /// A test that costs a bit lookup (no payload read, and no call through a class that is
    /// retained and released per test), for a walk that tests many points; nil when the filter
    /// reads payloads. Listed matches get their bitmap here, so an exact scan never builds one.
    var bitmapTest: (@Sendable (UInt32) -> Bool)? {
        let members: IDBitmap
        let complemented: Bool
        switch form {
        case let .listed(ids): (members, complemented) = (IDBitmap(ids.sortedIDs), false)
        case let .checked(membership):
            guard let test = membership.bitmapTest else { return nil }
            (members, complemented) = test
        }
        return { members.contains($0) != complemented }
    }

    func contains(_ id: UInt32) -> Bool {
        switch form {
        case let .listed(ids): ids.contains(id)
        case let .checked(membership): membership.contains(id)
        }
    }

    /// Every match, listing them if the planner had not.
    func allMatches() throws -> [UInt32] {
        switch form {
        case let .listed(ids): ids.sortedIDs
        case let .checked(membership): try membership.allMatches().sortedIDs
        }
    }

    /// The per-point test a walk should call: the bitmap when there is one.
    var test: @Sendable (UInt32) -> Bool {
        bitmapTest ?? { [self] in contains($0) }
    }
}

/// How to search one index: width, exactness and the filter's candidates.
struct FieldSearch: Sendable {
    var k: Int
    var ef: Int?
    var exact: Bool
    var candidates: CandidateSet?
    var quantization: QuantizationParameters? = nil
}

/// The index of one vector name of a build (Qdrant's `vector_data`: a storage plus an index
/// behind one interface). Dense vectors are served by HNSW, sparse ones by an inverted index;
/// the query planner and the change-log catch-up see only this interface.
protocol FieldIndex: AnyObject, Sendable {
    /// Which kind of vector it takes, for messages.
    var kind: String { get }
    var liveCount: Int { get }
    func contains(id: UInt32) -> Bool
    func insert(_ vector: StoredVector, id: UInt32) throws
    func remove(id: UInt32) throws
    /// Whether a higher score is a better match (false for Euclid, whose score is the distance).
    var higherIsBetter: Bool { get }
    /// Best first, with Qdrant's score for this vector.
    func search(_ query: QueryVector, _ search: FieldSearch) throws -> [ScoredID]
    /// The score of each id for `query`, nil for ids without this vector (rescoring, MMR).
    func scores(_ query: QueryVector, ids: [UInt32]) throws -> [Float?]
    /// The stored vector of `id` (dense only; MMR's similarities between candidates).
    func denseVector(id: UInt32) -> [Float]?
    func snapshot() -> Data
}
