import Dispatch
import Embeddings
import Foundation
import Lifecycle
import Synchronization

/// Collects concurrent embedding requests into batches: the first request waits at most
/// `maxWait` for others to join, a batch never exceeds `maxBatch` texts, and the forward pass
/// runs off the Swift concurrency pool on the batcher's own queue. 64 clients embedding one
/// sentence each therefore run as a few large matrix products instead of 64 small ones.
public final class EmbeddingBatcher: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var batches = 0
        public var texts = 0
        public var largestBatch = 0
    }

    private struct Pending {
        let texts: [String]
        let enqueued: ContinuousClock.Instant
        let continuation: CheckedContinuation<[[Float]], any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var queuedTexts = 0
        var draining = false
        var statistics = Statistics()
    }

    public let embedder: SentenceEmbedder
    public let maxBatch: Int
    public let maxWait: Duration
    private let state = Mutex(State())
    private let worker = DispatchQueue(label: "lodestone.embedding-batcher")
    /// Called after every batch with its size (for metrics).
    private let onBatch: @Sendable (Int, Duration) -> Void

    public init(embedder: SentenceEmbedder, maxBatch: Int = 64, maxWait: Duration = .milliseconds(2),
                onBatch: @escaping @Sendable (Int, Duration) -> Void = { _, _ in }) {
        self.embedder = embedder
        self.maxBatch = maxBatch
        self.maxWait = maxWait
        self.onBatch = onBatch
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Embeddings of `texts`, in order, computed in a batch shared with concurrent callers.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let startDraining = state.withLock { state -> Bool in
                state.queue.append(Pending(texts: texts, enqueued: .now, continuation: continuation))
                state.queuedTexts += texts.count
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startDraining { worker.async { self.drain() } }
        }
    }

    /// Runs on `worker`: waits for the batch to fill or the oldest request to reach `maxWait`,
    /// then embeds one batch and repeats while requests are queued.
    private func drain() {
        while true {
            let (batch, wait) = state.withLock { state -> ([Pending], Duration?) in
                guard let oldest = state.queue.first else {
                    state.draining = false
                    return ([], nil)
                }
                let waited = ContinuousClock.now - oldest.enqueued
                if state.queuedTexts < maxBatch, waited < maxWait { return ([], maxWait - waited) }
                var taken: [Pending] = []
                var count = 0
                while let next = state.queue.first, taken.isEmpty || count + next.texts.count <= maxBatch {
                    taken.append(state.queue.removeFirst())
                    count += next.texts.count
                }
                state.queuedTexts -= count
                state.statistics.batches += 1
                state.statistics.texts += count
                state.statistics.largestBatch = max(state.statistics.largestBatch, count)
                return (taken, nil)
            }
            if let wait {
                Thread.sleep(forTimeInterval: wait.seconds)
                continue
            }
            guard !batch.isEmpty else { return }
            run(batch)
        }
    }

    private func run(_ batch: [Pending]) {
        let texts = batch.flatMap(\.texts)
        let start = ContinuousClock.now
        do {
            let vectors = try embedder.embed(texts, batchSize: maxBatch)
            onBatch(texts.count, ContinuousClock.now - start)
            var offset = 0
            for pending in batch {
                pending.continuation.resume(returning: Array(vectors[offset..<(offset + pending.texts.count)]))
                offset += pending.texts.count
            }
        } catch {
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }
}
