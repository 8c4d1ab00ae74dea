/// Images keep the level-0 records in one layout, `[links][vector]`, wherever the vectors are
/// held, so an image taken from a graph with paged vectors reads back into any graph.
extension GraphView {
    var inlineRecordBytes: Int { linkBytes + dimension * MemoryLayout<Float>.stride }

    private var vectorsAreInline: Bool { recordStride == inlineRecordBytes }

    func appendInlineRecords(_ slots: Range<Int>, to writer: inout SnapshotWriter) {
        if vectorsAreInline {
            writer.append(raw: UnsafeRawBufferPointer(start: records + slots.lowerBound * recordStride, count: slots.count * recordStride))
            return
        }
        for slot in slots {
            writer.append(raw: UnsafeRawBufferPointer(start: records + slot * recordStride, count: linkBytes))
            writer.append(raw: UnsafeRawBufferPointer(start: vector(UInt32(slot)), count: inlineRecordBytes - linkBytes))
        }
    }

    func readInlineRecords(_ slots: Range<Int>, from reader: inout SnapshotReader) throws(IndexError) {
        if vectorsAreInline {
            try reader.copy(into: records + slots.lowerBound * recordStride, count: slots.count * recordStride)
            return
        }
        for slot in slots {
            try reader.copy(into: records + slot * recordStride, count: linkBytes)
            try reader.copy(into: UnsafeMutableRawPointer(vector(UInt32(slot))), count: inlineRecordBytes - linkBytes)
        }
    }
}
