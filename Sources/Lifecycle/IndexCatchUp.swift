import Embeddings
import Foundation
import Storage
import VectorIndex

/// Mirrors change-log entries into one index, in log order. An index on model M takes the
/// stored vector of a changed point when M embedded it; when another model did (the change
/// was logged while the collection was bound to that model), the point's text is embedded
/// again with M, so every index holds vectors from exactly one model.
struct IndexCatchUp {
    let store: CollectionStore
    /// The model this index's vectors come from; nil means "the vectors as stored".
    let model: String?
    /// The model that embedded the stored vectors of the change at a sequence number.
    let bindingAt: (UInt64) -> String?
    /// Loads `model` when a change needs re-embedding.
    let embedder: () throws -> SentenceEmbedder

    /// Below this many new vectors, threads cost more than they save.
    static let parallelInsertThreshold = 64

    /// Applies `changes`; returns the last sequence number applied.
    func apply(_ changes: [ChangeEntry], to index: HNSWIndex) throws -> UInt64? {
        let needed = changes.compactMap { entry -> UInt32? in
            entry.kind == .insert || entry.kind == .replace ? entry.newInternalID : nil
        }
        let vectors = try vectors(for: needed, changes: changes)
        // Internal ids are never reused, so every removal can go first and the inserts after,
        // together: a batch goes into the graph on all cores (searches keep running on it).
        for entry in changes {
            if let old = entry.oldInternalID, entry.kind == .replace || entry.kind == .delete, index.contains(id: old) {
                try index.delete(id: old)
            }
        }
        var ids: [UInt32] = []
        var values: [Float] = []
        var seen = Set<UInt32>()
        for id in needed where !index.contains(id: id) && seen.insert(id).inserted {
            // A vector missing here was deleted by a later entry of this same batch.
            guard let vector = vectors[id] else { continue }
            ids.append(id)
            values.append(contentsOf: vector)
        }
        if ids.count >= Self.parallelInsertThreshold {
            try index.insert(contentsOf: VectorMatrix(dimension: index.dimension, values: values), ids: ids,
                             threads: ProcessInfo.processInfo.activeProcessorCount)
        } else {
            for (row, id) in ids.enumerated() {
                try index.insert(Array(values[row * index.dimension ..< (row + 1) * index.dimension]), id: id)
            }
        }
        return changes.last?.sequence
    }

    /// Applies every change after `sequence`; returns the last sequence number applied.
    func catchUp(_ index: HNSWIndex, from sequence: UInt64, cancelled: () -> Bool = { false }) throws -> UInt64 {
        try catchUp(from: sequence, cancelled: cancelled) { try apply($0, to: index) }
    }

    /// Reads the log after `sequence` in pages and hands each page to `apply`.
    private func catchUp(from sequence: UInt64, cancelled: () -> Bool, apply: ([ChangeEntry]) throws -> UInt64?) throws -> UInt64 {
        var applied = sequence
        while !cancelled() {
            guard let last = try apply(try store.changes(after: applied, limit: 4096)) else { break }
            applied = last
        }
        return applied
    }

    private func vectors(for ids: [UInt32], changes: [ChangeEntry]) throws -> [UInt32: [Float]] {
        guard !ids.isEmpty else { return [:] }
        var result: [UInt32: [Float]] = [:]
        guard let model else {
            for (id, vector) in zip(ids, try store.vectors(internalIDs: ids)) { if let vector { result[id] = vector } }
            return result
        }
        let sequenceOf = Dictionary(changes.compactMap { entry in entry.newInternalID.map { ($0, entry.sequence) } },
                                    uniquingKeysWith: { $1 })
        var reembed: [(id: UInt32, text: String)] = []
        for (id, point) in zip(ids, try store.points(internalIDs: ids, withVector: true, withPayload: false)) {
            guard let point else { continue }
            if let text = point.text, bindingAt(sequenceOf[id] ?? 0) != model {
                reembed.append((id, text))
            } else if let vector = point.vector {
                result[id] = vector
            }
        }
        if !reembed.isEmpty {
            let embedded = try embedder().embed(reembed.map(\.text))
            for (item, vector) in zip(reembed, embedded) { result[item.id] = vector }
        }
        return result
    }
}

extension IndexCatchUp {
    /// Applies `changes` to every index of `set`: the primary by the rule above, the others
    /// with the named and sparse vectors as stored. Replaying a change an index already holds
    /// is a no-op, so indexes built at different snapshots can catch up from the earliest.
    func apply(_ changes: [ChangeEntry], to set: BuildIndexes) throws -> UInt64? {
        let last = try apply(changes, to: set.hnsw)
        guard !set.secondary.isEmpty else { return last }
        let inserted = changes.compactMap { entry -> UInt32? in
            entry.kind == .insert || entry.kind == .replace ? entry.newInternalID : nil
        }
        var extra: [UInt32: (dense: [String: [Float]], sparse: [String: SparseVectorValue])] = [:]
        for (id, vectors) in zip(inserted, try store.extraVectors(internalIDs: inserted)) { if let vectors { extra[id] = vectors } }
        for (name, index) in set.secondary {
            for entry in changes {
                if let old = entry.oldInternalID, entry.kind == .replace || entry.kind == .delete, index.contains(id: old) {
                    try index.remove(id: old)
                }
                guard let new = entry.newInternalID, entry.kind == .insert || entry.kind == .replace,
                      !index.contains(id: new), let vectors = extra[new] else { continue }
                if let dense = vectors.dense[name] {
                    try index.insert(.dense(dense), id: new)
                } else if let sparse = vectors.sparse[name] {
                    try index.insert(.sparse(sparse), id: new)
                }
            }
        }
        return last
    }

    /// Applies every change after `sequence` to every index of `set`.
    func catchUp(_ set: BuildIndexes, from sequence: UInt64, cancelled: () -> Bool = { false }) throws -> UInt64 {
        try catchUp(from: sequence, cancelled: cancelled) { try apply($0, to: set) }
    }
}
