import Foundation
import Lifecycle
import Synchronization

/// A one-line progress bar on standard error, drawn only when it is a terminal, so logs and
/// pipes stay clean. Safe to update from many threads; redraws at most ten times a second.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var finished = false
    }

    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = ContinuousClock.now
    private let state = Mutex(State())

    init(label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = isatty(STDERR_FILENO) != 0
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let shouldDraw = state.withLock { state -> Bool in
            guard !state.finished else { return false }
            if done < total, let last = state.lastDraw, now - last < .milliseconds(100) { return false }
            state.lastDraw = now
            if done >= total { state.finished = true }
            return true
        }
        guard shouldDraw else { return }
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = (now - start).seconds
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let line = String(
            format: "\r%@ [%@%@] %d/%d %5.1f%%  %.0f/s  eta %.0fs",
            label, String(repeating: "#", count: filled), String(repeating: ".", count: width - filled),
            done, total, fraction * 100, rate, remaining)
        FileHandle.standardError.write(Data((line + (done >= total ? "\n" : "")).utf8))
    }
}
