import Foundation
import Synchronization

/// Where a quantized graph's float vectors are, as `HNSWIndex.vectorResidence` reports it.
public enum VectorResidence: Sendable, Equatable {
    /// In the level-0 records, next to the links: the float walk reads them on every hop.
    case inGraph
    /// In a file the OS pages (the walk reads codes; rescoring and inserts read the floats).
    case paged(bytes: Int)
    /// Asked to be paged, but the file could not be made or grown: they stayed in the graph.
    case pagingFailed(reason: String)
}

extension HNSWIndex {
    /// Asks that, whenever the graph holds codes, its float vectors live in an unlinked file in
    /// `directory` (on the data's disk) instead of the graph's memory; nil keeps them in memory.
    /// Applies to codes already attached at once.
    public func pageVectorsWhenQuantized(in directory: URL?) {
        vectorPagingDirectory.withLock { $0 = directory }
        mutationLock.withWriteLock {
            let quantized = structureLock.withReadLock { storage.quantized != nil }
            if directory == nil {
                structureLock.withWriteLock { storage.unpageVectors() }
            } else if quantized {
                pageVectorsOutIfAsked()
            }
        }
    }

    public var vectorResidence: VectorResidence {
        structureLock.withReadLock {
            if storage.pagedVectors != nil { return .paged(bytes: storage.pagedBytes) }
            if let failure = storage.pagingFailure, vectorPagingDirectory.withLock({ $0 }) != nil {
                return .pagingFailed(reason: failure.description)
            }
            return .inGraph
        }
    }

    /// Unmaps the paged vectors' pages this process has touched (a build reads them all); the
    /// next read of one faults it back in. Nothing to do when the vectors are in the graph.
    public func releaseResidentVectors() {
        structureLock.withReadLock { storage.releaseResidentVectors() }
    }

    /// Operations between releases of the paged vectors' mapped pages.
    static let pagedOperationsPerRelease = 2_048

    /// Counts an operation that reads paged vectors through the map (an insert's linking, a
    /// float walk); every `pagedOperationsPerRelease` of them the mapped pages are released,
    /// so an ingest leaves at most that many operations' pages resident. The caller holds the
    /// shared lock, which keeps the map in place; a read racing the release faults the page again.
    func notePagedVectorsMapped(_ view: GraphView) {
        let operations = pagedOperations.add(1, ordering: .relaxed).newValue
        if operations % Self.pagedOperationsPerRelease == 0 { view.paged?.releaseResidentPages() }
    }

    /// Moves the vectors to disk when asked and not done yet. The caller holds `mutationLock`
    /// exclusively: no insert writes a vector meanwhile. The file is written under the shared
    /// lock, so searches go on and wait only for the records' rewrite.
    func pageVectorsOutIfAsked() {
        guard let directory = vectorPagingDirectory.withLock({ $0 }) else { return }
        do throws(IndexError) {
            let written = try structureLock.withReadLock { () throws(IndexError) -> PagedVectorFile? in
                guard storage.pagedVectors == nil, storage.quantized != nil else { return nil }
                return try storage.writePagedVectors(to: directory)
            }
            guard let written else { return }
            try structureLock.withWriteLock { () throws(IndexError) in try storage.adoptPagedVectors(written) }
        } catch {
            structureLock.withWriteLock { storage.recordPagingFailure(error) }
        }
    }
}
