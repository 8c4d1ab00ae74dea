import Foundation
import Synchronization

/// Where a graph's float vectors are, as `HNSWIndex.vectorResidence` reports it.
public enum VectorResidence: Sendable, Equatable {
    /// In the level-0 records, next to the links: the float walk reads them on every hop.
    case inGraph
    /// In a file the OS pages (with codes the walk reads codes; rescoring and inserts read the floats).
    case paged(bytes: Int)
    /// Asked to be paged, but the file could not be made or grown: they stayed in the graph.
    case pagingFailed(reason: String)
}

/// Where a graph keeps its float vectors, as Qdrant's dense `on_disk` chooses.
public enum VectorPlacement: Sendable, Equatable {
    /// In the level-0 records, next to the links, codes or not.
    case memory
    /// In an unlinked file in `directory` (on the data's disk) while the graph holds codes:
    /// the walk reads codes, rescoring reads the few candidates' floats. In the records otherwise.
    case diskWhenQuantized(directory: URL)
    /// In the file always: without codes the walk reads the floats through the mapping, from
    /// the OS's page cache, which can evict them under memory pressure.
    case disk(directory: URL)

    /// The file's directory when the vectors belong in it, given whether codes are held.
    func pagingDirectory(quantized: Bool) -> URL? {
        switch self {
        case .memory: nil
        case .diskWhenQuantized(let directory): quantized ? directory : nil
        case .disk(let directory): directory
        }
    }

    var asksForPaging: Bool { self != .memory }
}

extension HNSWIndex {
    /// Moves the float vectors where `placement` puts them, at once: into a file, or back into
    /// the records. Inserts wait meanwhile; searches go on and wait only for the records' rewrite.
    public func placeVectors(_ placement: VectorPlacement) {
        // Every open, build and switch asks again for what already holds: no insert need wait.
        let holds = structureLock.withReadLock {
            (placement.pagingDirectory(quantized: storage.quantized != nil) != nil) == (storage.pagedVectors != nil)
        }
        if holds, vectorPlacement.withLock({ $0 }) == placement { return }
        vectorPlacement.withLock { $0 = placement }
        mutationLock.withWriteLock {
            let quantized = structureLock.withReadLock { storage.quantized != nil }
            if placement.pagingDirectory(quantized: quantized) == nil {
                structureLock.withWriteLock { storage.unpageVectors() }
            } else {
                pageVectorsOutIfAsked()
            }
        }
    }

    /// Drops the codes; without them the walk reads every vector it visits, so the floats
    /// return to the records unless the placement keeps them on disk whatever the walk costs.
    /// The caller holds `mutationLock` exclusively.
    func dropCodes() {
        let keepsFile = vectorPlacement.withLock { $0 }.pagingDirectory(quantized: false) != nil
        structureLock.withWriteLock {
            storage.attach(nil)
            if !keepsFile { storage.unpageVectors() }
        }
    }

    public var vectorResidence: VectorResidence {
        structureLock.withReadLock {
            if storage.pagedVectors != nil { return .paged(bytes: storage.pagedBytes) }
            if let failure = storage.pagingFailure, vectorPlacement.withLock({ $0 }).asksForPaging {
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

    /// Moves the vectors to disk when the placement asks and it is not done yet. The caller
    /// holds `mutationLock` exclusively: no insert writes a vector meanwhile. The file is
    /// written under the shared lock, so searches go on and wait only for the records' rewrite.
    func pageVectorsOutIfAsked() {
        let placement = vectorPlacement.withLock { $0 }
        do throws(IndexError) {
            let written = try structureLock.withReadLock { () throws(IndexError) -> PagedVectorFile? in
                guard storage.pagedVectors == nil,
                      let directory = placement.pagingDirectory(quantized: storage.quantized != nil) else { return nil }
                return try storage.writePagedVectors(to: directory)
            }
            guard let written else { return }
            try structureLock.withWriteLock { () throws(IndexError) in try storage.adoptPagedVectors(written) }
        } catch {
            structureLock.withWriteLock { storage.recordPagingFailure(error) }
        }
    }
}
