import Foundation
import Synchronization
import VectorKernels

/// A self-describing binary image of an index, so a stored graph reopens without a rebuild.
///
/// Layout (little-endian): magic "LDHNSW\r\n", format version, metric, dimension, parameters,
/// node count, entry point; then per node its id, level and flags; the level-0 records as they
/// sit in memory; the upper levels of every node above level 0; and a checksum of everything
/// before it. Reading checks magic, version, sizes and checksum before touching the graph.
extension HNSWIndex {
    static let snapshotMagic: [UInt8] = Array("LDHNSW\r\n".utf8)
    static let snapshotVersion: UInt32 = 1

    /// The whole index as bytes. Takes the exclusive lock: no insert runs while it copies.
    public func snapshot() -> Data {
        mutationLock.withWriteLock { structureLock.withReadLock { encodeSnapshot() } }
    }

    /// The full image; callers hold `mutationLock` exclusively and `structureLock` shared.
    func encodeSnapshot() -> Data {
        let view = storage.view
        let nodes = count
        let start = entry.withLock { $0 }
        var writer = SnapshotWriter(reservingCapacity: 64 + nodes * (6 + view.inlineRecordBytes))
        writer.append(bytes: HNSWIndex.snapshotMagic)
        writer.append(HNSWIndex.snapshotVersion)
        writer.append(UInt32(Metric.allCases.firstIndex(of: metric)!))
        writer.append(UInt32(dimension))
        writer.append(UInt32(parameters.m))
        writer.append(UInt32(parameters.efConstruction))
        writer.append(UInt32(parameters.ef))
        writer.append(parameters.seed)
        writer.append(UInt64(nodes))
        writer.append(start.slot ?? UInt32.max)
        writer.append(Int32(start.level))
        writer.append(raw: UnsafeRawBufferPointer(start: view.labels, count: nodes * 4))
        writer.append(raw: UnsafeRawBufferPointer(start: view.levels, count: nodes))
        writer.append(raw: UnsafeRawBufferPointer(start: view.flags, count: nodes))
        view.appendInlineRecords(0 ..< nodes, to: &writer)
        for slot in 0..<nodes where view.levels[slot] > 0 {
            let words = Int(view.levels[slot]) * view.upperLevelWords
            writer.append(raw: UnsafeRawBufferPointer(start: view.upperLinks[slot]!, count: words * 4))
        }
        writer.appendChecksum()
        return writer.data
    }

    /// Rebuilds an index from `snapshot()` bytes without recomputing any distance, with room
    /// for at least `minimumCapacity` nodes (deltas about to be applied, say) without growing.
    public convenience init(snapshot data: Data, minimumCapacity: Int = 0) throws(IndexError) {
        var reader = SnapshotReader(data: data)
        guard try reader.bytes(HNSWIndex.snapshotMagic.count) == HNSWIndex.snapshotMagic else {
            throw .corruptSnapshot("not an HNSW snapshot (bad magic number)")
        }
        let version: UInt32 = try reader.value()
        guard version == HNSWIndex.snapshotVersion else {
            throw .corruptSnapshot("snapshot format version \(version); this build reads version \(HNSWIndex.snapshotVersion)")
        }
        try reader.verifyChecksum()
        let metricIndex = Int(try reader.value() as UInt32)
        guard metricIndex < Metric.allCases.count else { throw .corruptSnapshot("unknown metric \(metricIndex)") }
        let dimension = Int(try reader.value() as UInt32)
        let m = Int(try reader.value() as UInt32)
        let efConstruction = Int(try reader.value() as UInt32)
        let ef = Int(try reader.value() as UInt32)
        let seed: UInt64 = try reader.value()
        let parameters = HNSWParameters(m: m, efConstruction: efConstruction, ef: ef, seed: seed)
        let nodes = Int(try reader.value() as UInt64)
        let entrySlot: UInt32 = try reader.value()
        let entryLevel = Int(try reader.value() as Int32)
        guard nodes >= 0, nodes < Int(UInt32.max), entrySlot == .max || Int(entrySlot) < nodes else {
            throw .corruptSnapshot("node count \(nodes) or entry point \(entrySlot) out of range")
        }
        try self.init(dimension: dimension, metric: Metric.allCases[metricIndex], parameters: parameters, capacity: max(nodes, minimumCapacity, 1))
        let view = storage.view
        try reader.copy(into: UnsafeMutableRawPointer(view.labels), count: nodes * 4)
        try reader.copy(into: UnsafeMutableRawPointer(view.levels), count: nodes)
        try reader.copy(into: UnsafeMutableRawPointer(view.flags), count: nodes)
        try view.readInlineRecords(0 ..< nodes, from: &reader)
        var deleted = 0
        var ids = SlotTable()
        ids.reserveCapacity(nodes)
        for slot in 0..<nodes {
            let level = Int(view.levels[slot])
            guard level <= 32, level <= max(entryLevel, 0) else { throw .corruptSnapshot("node \(slot) has level \(level)") }
            if level > 0 {
                storage.allocateUpperLevels(slot: slot, level: level)
                try reader.copy(into: UnsafeMutableRawPointer(storage.view.upperLinks[slot]!), count: level * view.upperLevelWords * 4)
            }
            if view.isDeleted(UInt32(slot)) { deleted += 1 } else { ids[view.labels[slot]] = UInt32(slot) }
        }
        try validateLinks(view: storage.view, slots: 0..<UInt32(nodes), nodes: nodes)
        allocatedSlots.store(nodes, ordering: .releasing)
        deletedCount.store(deleted, ordering: .relaxed)
        slotsByID.withLock { $0 = ids }
        entry.withLock { $0 = EntryPoint(slot: entrySlot == .max ? nil : entrySlot, level: entrySlot == .max ? -1 : entryLevel) }
        imageChain.withLock { $0 = ImageChainMark(token: reader.storedChecksum, nodes: nodes) }
    }

    /// Every neighbour count and id must be in range: a snapshot that passed its checksum but
    /// was written by a buggy build must still never lead a search outside the graph.
    func validateLinks(view: GraphView, slots: some Sequence<UInt32>, nodes: Int) throws(IndexError) {
        for slot in slots {
            for level in 0...Int(view.levels[Int(slot)]) {
                let links = view.links(slot, level: level)
                let count = Int(links[0])
                guard count <= view.maxNeighbors(level: level) else {
                    throw .corruptSnapshot("node \(slot) has \(count) neighbours at level \(level)")
                }
                for index in 0..<count where Int(links[index + 1]) >= nodes {
                    throw .corruptSnapshot("node \(slot) links to missing node \(links[index + 1])")
                }
            }
        }
    }
}

struct SnapshotWriter {
    private(set) var data = Data()

    init(reservingCapacity capacity: Int = 0) { data.reserveCapacity(capacity) }

    mutating func append(bytes: [UInt8]) { data.append(contentsOf: bytes) }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    mutating func append(raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        data.append(contentsOf: raw)
    }

    mutating func appendChecksum() { append(SnapshotChecksum.of(data)) }
}

struct SnapshotReader {
    let data: Data
    private var offset = 0

    init(data: Data) { self.data = data }

    mutating func bytes(_ count: Int) throws(IndexError) -> [UInt8] {
        guard count >= 0, offset + count <= data.count else { throw .corruptSnapshot("truncated at byte \(offset)") }
        defer { offset += count }
        return Array(data[(data.startIndex + offset)..<(data.startIndex + offset + count)])
    }

    mutating func value<T: FixedWidthInteger>() throws(IndexError) -> T {
        let raw = try bytes(MemoryLayout<T>.size)
        return T(littleEndian: raw.withUnsafeBytes { $0.loadUnaligned(as: T.self) })
    }

    mutating func copy(into destination: UnsafeMutableRawPointer, count: Int) throws(IndexError) {
        // The last 8 bytes are the checksum, never graph data.
        guard count >= 0, offset + count <= data.count - 8 else { throw .corruptSnapshot("truncated at byte \(offset)") }
        data.withUnsafeBytes { source in
            destination.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
    }

    /// The checksum in the last 8 bytes (callers verified it): a chain's token for the image.
    var storedChecksum: UInt64 {
        data.suffix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    func verifyChecksum() throws(IndexError) {
        guard data.count >= 16 else { throw .corruptSnapshot("too short") }
        let body = data.prefix(data.count - 8)
        guard SnapshotChecksum.of(body) == storedChecksum else { throw .corruptSnapshot("checksum mismatch") }
    }
}

/// A fast 64-bit checksum (multiply-rotate over 8-byte words); it detects corruption, it is
/// not a cryptographic digest.
public enum SnapshotChecksum {
    public static func of(_ data: Data) -> UInt64 {
        data.withUnsafeBytes { raw in
            var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
            let words = raw.count / 8
            for index in 0..<words {
                let word = raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                hash = (hash ^ (word &* 0xC2B2_AE3D_27D4_EB4F)).rotatedLeft(31) &* 0x9E37_79B9_7F4A_7C15
            }
            for index in (words * 8)..<raw.count {
                hash = (hash ^ UInt64(raw[index])).rotatedLeft(11) &* 0x1656_67B1_9E37_79F9
            }
            return hash ^ (hash >> 29)
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ bits: UInt64) -> UInt64 { (self << bits) | (self >> (64 - bits)) }
}
