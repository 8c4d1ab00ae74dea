import Dispatch
import Synchronization
import VectorKernels

/// How a search uses the quantized codes, as Qdrant's `params.quantization`: the graph is
/// walked on codes for `oversampling` × k candidates, which are then re-ranked on the float
/// vectors (`rescore`), or returned in code order.
public struct QuantizedSearch: Sendable, Equatable {
    public var rescore: Bool
    public var oversampling: Double

    public init(rescore: Bool = true, oversampling: Double = 2) {
        self.rescore = rescore
        self.oversampling = oversampling
    }
}

extension HNSWIndex {
    /// The quantizer the index traverses with; nil when it holds no codes.
    public var quantizer: VectorQuantizer? { structureLock.withReadLock { storage.quantized?.quantizer } }

    /// Trains a quantizer of `kind` on a sample of the stored vectors and encodes every vector;
    /// vectors inserted later are encoded as they are written, with the same training (a value
    /// outside a scalar range is clamped, and rescoring corrects the order). Called again, it
    /// retrains on what is stored now. Inserts wait meanwhile; searches go on (on the old codes
    /// or the floats) and wait only for the swap.
    @discardableResult
    public func enableQuantization(_ kind: QuantizationKind, sampleValues: Int = 1_000_000) -> VectorQuantizer {
        mutationLock.withWriteLock { attachCodes(kind, sampleValues: sampleValues) }
    }

    /// Trains and attaches codes of `kind`; the caller holds `mutationLock` exclusively, so no
    /// insert runs meanwhile and the capacity and the encoded slots stay current.
    private func attachCodes(_ kind: QuantizationKind, sampleValues: Int = 1_000_000) -> VectorQuantizer {
        let codes = structureLock.withReadLock { () -> QuantizedCodes in
            let view = storage.view
            let slots = count
            // Scalar ranges are fitted per dimension, so the sample needs rows enough for a
            // 0.99 quantile's tails in each column, whatever the dimension.
            let rows = max(sampleValues / max(dimension, 1), Self.minimumQuantizationTraining * 4)
            let step = max(1, slots / rows)
            var values: [Float] = []
            values.reserveCapacity((min(slots, rows) + 1) * dimension)
            for slot in stride(from: 0, to: slots, by: step) {
                values.append(contentsOf: UnsafeBufferPointer(start: view.vector(UInt32(slot)), count: dimension))
            }
            let quantizer = VectorQuantizer.train(kind, values: values, dimension: dimension, metric: metric.storedVectorMetric)
            let codes = QuantizedCodes(quantizer: quantizer, capacity: storage.capacity, trainedOn: slots)
            let encoded = codes.view
            for slot in 0 ..< slots { encoded.encode(view.vector(UInt32(slot)), slot: UInt32(slot)) }
            return codes
        }
        structureLock.withWriteLock { storage.attach(codes) }
        quantizedTrainedOn.store(codes.trainedOn, ordering: .releasing)
        pageVectorsOutIfAsked()
        // Retraining read every paged vector through the map.
        releaseResidentVectors()
        return codes.quantizer
    }

    /// Scalar codes (`quantile` 1, Qdrant's default, covers every value: clamping the extremes
    /// costs more recall on the largest coordinates, which dominate inner products, than finer
    /// steps gain).
    @discardableResult
    public func enableScalarQuantization(quantile: Double = 1) -> ScalarQuantizer {
        guard case .scalar(let scalar) = enableQuantization(.scalar(quantile: quantile)) else { preconditionFailure("scalar training made another kind") }
        return scalar
    }

    @discardableResult
    public func enableBinaryQuantization(queryEncoding: BinaryQueryEncoding = .bits) -> BinaryQuantizer {
        guard case .binary(let binary) = enableQuantization(.binary(queryEncoding: queryEncoding)) else { preconditionFailure("binary training made another kind") }
        return binary
    }

    /// Codes trained on fewer vectors would fix a range the data has not shown yet.
    public static let minimumQuantizationTraining = 1_000

    /// Asks for codes from now on: trained here when the graph holds
    /// `minimumQuantizationTraining` vectors, else by the insert that reaches it (in the
    /// background), and trained again whenever the graph has doubled since, so the range
    /// follows the data. Searches walk the floats until the first codes exist.
    public func quantize(_ kind: QuantizationKind) {
        let changed = requestedQuantization.withLock { requested in
            defer { requested = kind }
            return requested != kind
        }
        // Codes of another kind or quantile go at once; new ones are trained when due.
        if changed, let current = quantizer, current.kind != kind {
            mutationLock.withWriteLock { dropCodes() }
            quantizedTrainedOn.store(0, ordering: .releasing)
        }
        quantizationRequested.store(true, ordering: .releasing)
        if quantizationIsDue { trainQuantizer() }
    }

    var quantizationIsDue: Bool {
        let nodes = count, trained = quantizedTrainedOn.load(ordering: .acquiring)
        return nodes >= Self.minimumQuantizationTraining && (trained == 0 || nodes >= 2 * trained)
    }

    /// Trains what is requested when training starts, under the lock inserts take: a job queued
    /// before the kind changed, or before quantization was turned off, trains the current
    /// request or nothing.
    private func trainQuantizer() {
        guard quantizationTraining.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        defer { quantizationTraining.store(false, ordering: .releasing) }
        mutationLock.withWriteLock {
            guard let kind = requestedQuantization.withLock({ $0 }) else { return }
            _ = attachCodes(kind)
        }
    }

    /// After an insert: off the inserting thread, because training waits for every insert.
    func trainQuantizerInBackgroundIfDue() {
        guard quantizationRequested.load(ordering: .relaxed), quantizationIsDue, !quantizationTraining.load(ordering: .relaxed) else { return }
        DispatchQueue.global(qos: .utility).async { [self] in trainQuantizer() }
    }

    /// Drops the codes and stops training them; searches walk the float vectors again.
    public func disableQuantization() {
        requestedQuantization.withLock { $0 = nil }
        quantizationRequested.store(false, ordering: .releasing)
        mutationLock.withWriteLock { dropCodes() }
        quantizedTrainedOn.store(0, ordering: .releasing)
    }

    /// The k nearest live vectors, the graph walked on codes (see `QuantizedSearch`). Without
    /// codes this is the float search.
    public func search(_ query: [Float], k: Int, ef: Int? = nil, filter: ((UInt32) -> Bool)? = nil,
                       quantization: QuantizedSearch) throws(IndexError) -> [Neighbor] {
        guard query.count == dimension else { throw .dimensionMismatch(expected: dimension, actual: query.count) }
        guard k > 0 else { return [] }
        guard (1 ... 1_000).contains(quantization.oversampling) else {
            throw .invalidParameter(name: "oversampling", reason: "must lie in 1...1000, got \(quantization.oversampling)")
        }
        let candidates = max(k, min(Int((Double(min(k, 1 << 20)) * quantization.oversampling).rounded(.up)), max(count, k)))
        let beam = max(ef ?? parameters.ef, candidates)
        return query.withUnsafeBufferPointer { queryBuffer in
            structureLock.withReadLock {
                let view = storage.view
                return scratchPool.withScratch(capacity: view.capacity) { scratch in
                    let prepared = prepareQuery(queryBuffer, scratch: scratch)
                    guard let quantized = view.quantized else {
                        let exact = FloatDistance(query: prepared, kernel: kernel, dimension: dimension)
                        return nearest(view, exact, k: k, ef: beam, filter: filter, scratch: scratch)
                            .map { Neighbor(id: view.labels[Int($0.slot)], distance: $0.distance) }
                    }
                    let found = walkOnCodes(view, quantized, query: prepared, k: candidates, ef: beam, filter: filter, scratch: scratch)
                    guard quantization.rescore else {
                        return found.prefix(k).map { Neighbor(id: view.labels[Int($0.slot)], distance: quantized.approximateDistance($0.distance)) }
                    }
                    return rescored(found, view, query: prepared).prefix(k).map { $0 }
                }
            }
        }
    }

    /// The candidates' float distances, nearest first; paged vectors are read from their file
    /// (see `GraphView.readVector`).
    private func rescored(_ found: [HeapEntry], _ view: GraphView, query: UnsafePointer<Float>) -> [Neighbor] {
        var copy = [Float](repeating: 0, count: view.paged == nil ? 0 : dimension)
        return copy.withUnsafeMutableBufferPointer { buffer in
            found.map { candidate in
                let vector = buffer.baseAddress.map { view.readVector(candidate.slot, into: $0) } ?? UnsafePointer(view.vector(candidate.slot))
                return Neighbor(id: view.labels[Int(candidate.slot)], distance: kernel.distance(query, vector, count: dimension))
            }
        }.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
    }

    /// The graph walked on the codes' distance, in the codes' units (see `approximateDistance`).
    private func walkOnCodes(_ view: GraphView, _ quantized: QuantizedView, query: UnsafePointer<Float>, k: Int, ef: Int,
                             filter: ((UInt32) -> Bool)?, scratch: SearchScratch) -> [HeapEntry] {
        switch quantized.quantizer {
        case .scalar(let scalar):
            let prepared = scalar.prepare(query, limit: codeKernel.queryCodeLimit)
            return prepared.codes.withUnsafeBufferPointer { codes in
                let distance = CodeDistance(codes: codes.baseAddress!, prepared: prepared, quantizer: scalar, quantized: quantized, kernel: codeKernel)
                return nearest(view, distance, k: k, ef: ef, filter: filter, scratch: scratch)
            }
        case .binary(let binary) where binary.queryEncoding == .bits:
            var words = [UInt64](repeating: 0, count: binary.words)
            return words.withUnsafeMutableBufferPointer { words in
                binary.encode(query, into: words.baseAddress!)
                let distance = BitDistance(query: UnsafePointer(words.baseAddress!), quantizer: binary, quantized: quantized, kernel: bitKernel)
                return nearest(view, distance, k: k, ef: ef, filter: filter, scratch: scratch)
            }
        case .binary(let binary):
            let prepared = BinaryQueryPlanes(query: query, quantizer: binary)
            return prepared.planes.withUnsafeBufferPointer { planes in
                let distance = PlaneDistance(planes: planes.baseAddress!, query: prepared, quantizer: binary, quantized: quantized, kernel: bitKernel)
                return nearest(view, distance, k: k, ef: ef, filter: filter, scratch: scratch)
            }
        }
    }

    private func nearest<Distance: SlotDistance>(_ view: GraphView, _ distance: Distance, k: Int, ef: Int, filter: ((UInt32) -> Bool)?,
                                                 scratch: SearchScratch) -> [HeapEntry] {
        if let filter {
            return nearestSlots(view, distance, k: k, ef: ef, accept: AcceptLiveMatching(predicate: filter), scratch: scratch)
        }
        if deletedCount.load(ordering: .relaxed) > 0 {
            return nearestSlots(view, distance, k: k, ef: ef, accept: AcceptLiveSlots(), scratch: scratch)
        }
        return nearestSlots(view, distance, k: k, ef: ef, accept: AcceptEverySlot(), scratch: scratch)
    }
}
