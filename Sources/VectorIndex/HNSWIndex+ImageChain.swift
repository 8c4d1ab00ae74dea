import Foundation
import Synchronization

/// The position of an index in a chain of images: the token (checksum) of the last image
/// taken or loaded, and how many nodes it held.
struct ImageChainMark: Sendable {
    var token: UInt64
    var nodes: Int
}

/// Images in a chain: one full snapshot, then deltas that each carry only what changed since
/// the image before them. A full image of a large graph copies every vector; after a batch of
/// inserts most nodes are untouched, so a delta holds the new nodes and the link lists (never
/// the vectors) of the old nodes those inserts linked to, and costs a fraction of a full one.
///
/// Delta layout (little-endian): magic "LDHNSWd\n", version, the token of the image it follows,
/// dimension, M, node counts before and after, entry point; the changed old nodes, each as slot,
/// flags, level-0 links and upper levels; the new nodes laid out as in a full snapshot; a
/// checksum of everything before it, which is also the delta's own token.
extension HNSWIndex {
    static let deltaMagic: [UInt8] = Array("LDHNSWd\n".utf8)
    static let deltaVersion: UInt32 = 1

    /// A full snapshot that also starts a chain: the next `deltaSnapshot()` carries what
    /// changes after it.
    public func snapshotStartingChain() -> Data {
        mutationLock.withWriteLock { structureLock.withReadLock {
            let data = encodeSnapshot()
            let nodes = count
            storage.view.changed.update(repeating: 0, count: nodes)
            imageChain.withLock { $0 = ImageChainMark(token: SnapshotReader(data: data).storedChecksum, nodes: nodes) }
            return data
        } }
    }

    /// What changed since the chain's last image, as a delta that `applyDelta` replays on top of
    /// it; nil when no chain was started (take `snapshotStartingChain()` instead). The chain
    /// moves on to this delta, so a caller that fails to store it must `breakChain()`.
    public func deltaSnapshot() -> Data? {
        mutationLock.withWriteLock { structureLock.withReadLock { () -> Data? in
            guard let mark = imageChain.withLock({ $0 }) else { return nil }
            let view = storage.view
            let nodes = count
            precondition(nodes >= mark.nodes, "a graph never loses nodes")
            let changedSlots = (0..<UInt32(mark.nodes)).filter { view.changed[Int($0)] != 0 }
            let newNodes = nodes - mark.nodes
            var writer = SnapshotWriter(reservingCapacity: 96 + changedSlots.count * (5 + view.linkBytes) + newNodes * (6 + view.inlineRecordBytes))
            let start = entry.withLock { $0 }
            writer.append(bytes: HNSWIndex.deltaMagic)
            writer.append(HNSWIndex.deltaVersion)
            writer.append(mark.token)
            writer.append(UInt32(dimension))
            writer.append(UInt32(parameters.m))
            writer.append(UInt64(mark.nodes))
            writer.append(UInt64(nodes))
            writer.append(start.slot ?? UInt32.max)
            writer.append(Int32(start.level))
            writer.append(UInt64(changedSlots.count))
            for slot in changedSlots {
                writer.append(slot)
                writer.append(view.flags[Int(slot)])
                writer.append(raw: UnsafeRawBufferPointer(start: view.links(slot, level: 0), count: view.linkBytes))
                let upperWords = Int(view.levels[Int(slot)]) * view.upperLevelWords
                if upperWords > 0 { writer.append(raw: UnsafeRawBufferPointer(start: view.upperLinks[Int(slot)]!, count: upperWords * 4)) }
            }
            writer.append(raw: UnsafeRawBufferPointer(start: view.labels + mark.nodes, count: newNodes * 4))
            writer.append(raw: UnsafeRawBufferPointer(start: view.levels + mark.nodes, count: newNodes))
            writer.append(raw: UnsafeRawBufferPointer(start: view.flags + mark.nodes, count: newNodes))
            view.appendInlineRecords(mark.nodes ..< nodes, to: &writer)
            for slot in mark.nodes..<nodes where view.levels[slot] > 0 {
                writer.append(raw: UnsafeRawBufferPointer(start: view.upperLinks[slot]!, count: Int(view.levels[slot]) * view.upperLevelWords * 4))
            }
            writer.appendChecksum()
            view.changed.update(repeating: 0, count: nodes)
            let data = writer.data
            imageChain.withLock { $0 = ImageChainMark(token: SnapshotReader(data: data).storedChecksum, nodes: nodes) }
            return data
        } }
    }

    /// The node count a delta leaves the graph with, from its header alone (nil when the bytes
    /// are no delta): a loader reserves room once for a chain instead of growing per delta.
    public static func nodeCount(afterDelta data: Data) -> Int? {
        let offset = deltaMagic.count + 4 + 8 + 4 + 4 + 8
        guard data.count >= offset + 8, data.prefix(deltaMagic.count).elementsEqual(deltaMagic) else { return nil }
        let nodes = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        return nodes < UInt64(UInt32.max) ? Int(nodes) : nil
    }

    /// Forgets the chain, after an image that could not be stored: the next must be full.
    public func breakChain() {
        imageChain.withLock { $0 = nil }
    }

    /// Replays a delta taken right after the image this index was loaded from (or the last
    /// delta applied). Only before the index serves: a delta that fails a check part-way has
    /// already changed some nodes, and the index must then be dropped.
    public func applyDelta(_ data: Data) throws(IndexError) {
        try mutationLock.withWriteLock { () throws(IndexError) in
            try structureLock.withWriteLock { () throws(IndexError) in try replayDelta(data) }
        }
    }

    private func replayDelta(_ data: Data) throws(IndexError) {
        var reader = SnapshotReader(data: data)
        guard try reader.bytes(HNSWIndex.deltaMagic.count) == HNSWIndex.deltaMagic else {
            throw .corruptSnapshot("not an HNSW delta (bad magic number)")
        }
        let version: UInt32 = try reader.value()
        guard version == HNSWIndex.deltaVersion else {
            throw .corruptSnapshot("delta format version \(version); this build reads version \(HNSWIndex.deltaVersion)")
        }
        try reader.verifyChecksum()
        let token: UInt64 = try reader.value()
        guard let mark = imageChain.withLock({ $0 }), mark.token == token, mark.nodes == count else {
            throw .corruptSnapshot("the delta does not follow this index's last image")
        }
        guard Int(try reader.value() as UInt32) == dimension, Int(try reader.value() as UInt32) == parameters.m else {
            throw .corruptSnapshot("the delta's dimension or M differs from the index's")
        }
        let baseNodes = Int(try reader.value() as UInt64)
        let nodes = Int(try reader.value() as UInt64)
        let entrySlot: UInt32 = try reader.value()
        let entryLevel = Int(try reader.value() as Int32)
        guard baseNodes == mark.nodes, nodes >= baseNodes, nodes < Int(UInt32.max), entrySlot == .max || Int(entrySlot) < nodes,
              entryLevel <= 32 else {
            throw .corruptSnapshot("node counts \(baseNodes)→\(nodes) or entry point \(entrySlot) out of range")
        }
        if nodes > storage.capacity { storage.resize(to: nodes) }
        let view = storage.view
        var ids = slotsByID.withLock { $0 }
        var deleted = deletedCount.load(ordering: .relaxed)
        let changedCount = Int(try reader.value() as UInt64)
        guard changedCount <= baseNodes else { throw .corruptSnapshot("\(changedCount) changed nodes of \(baseNodes)") }
        var touched: [UInt32] = []
        touched.reserveCapacity(changedCount + nodes - baseNodes)
        for _ in 0..<changedCount {
            let slot: UInt32 = try reader.value()
            guard Int(slot) < baseNodes else { throw .corruptSnapshot("changed node \(slot) is not in the image") }
            let wasDeleted = view.isDeleted(slot)
            view.flags[Int(slot)] = try reader.value()
            guard !wasDeleted || view.isDeleted(slot) else { throw .corruptSnapshot("node \(slot) is deleted and live again") }
            if !wasDeleted && view.isDeleted(slot) {
                _ = ids.removeValue(forKey: view.labels[Int(slot)])
                deleted += 1
            }
            try reader.copy(into: UnsafeMutableRawPointer(view.links(slot, level: 0)), count: view.linkBytes)
            let upperWords = Int(view.levels[Int(slot)]) * view.upperLevelWords
            if upperWords > 0 { try reader.copy(into: UnsafeMutableRawPointer(view.upperLinks[Int(slot)]!), count: upperWords * 4) }
            touched.append(slot)
        }
        let newNodes = nodes - baseNodes
        try reader.copy(into: UnsafeMutableRawPointer(view.labels + baseNodes), count: newNodes * 4)
        try reader.copy(into: UnsafeMutableRawPointer(view.levels + baseNodes), count: newNodes)
        try reader.copy(into: UnsafeMutableRawPointer(view.flags + baseNodes), count: newNodes)
        try view.readInlineRecords(baseNodes ..< nodes, from: &reader)
        // Codes are derived from the vectors, not stored: the new nodes are encoded here.
        if let quantized = view.quantized {
            for slot in baseNodes ..< nodes { quantized.encode(view.vector(UInt32(slot)), slot: UInt32(slot)) }
        }
        for slot in baseNodes..<nodes {
            let level = Int(view.levels[slot])
            guard level <= 32, level <= max(entryLevel, 0) else { throw .corruptSnapshot("node \(slot) has level \(level)") }
            if level > 0 {
                storage.allocateUpperLevels(slot: slot, level: level)
                try reader.copy(into: UnsafeMutableRawPointer(storage.view.upperLinks[slot]!), count: level * view.upperLevelWords * 4)
            }
            if view.isDeleted(UInt32(slot)) {
                deleted += 1
            } else {
                guard ids[view.labels[slot]] == nil else { throw .corruptSnapshot("id \(view.labels[slot]) is in the graph twice") }
                ids[view.labels[slot]] = UInt32(slot)
            }
            touched.append(UInt32(slot))
        }
        try validateLinks(view: storage.view, slots: touched, nodes: nodes)
        allocatedSlots.store(nodes, ordering: .releasing)
        deletedCount.store(deleted, ordering: .relaxed)
        slotsByID.withLock { $0 = ids }
        entry.withLock { $0 = EntryPoint(slot: entrySlot == .max ? nil : entrySlot, level: entrySlot == .max ? -1 : entryLevel) }
        imageChain.withLock { $0 = ImageChainMark(token: reader.storedChecksum, nodes: nodes) }
    }
}
