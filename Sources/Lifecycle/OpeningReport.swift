/// How a serving collection opened: from its image chain or rebuilt, and what replaying the
/// change log after it cost. The restart bound depends on both, so the server logs them.
public struct OpeningReport: Sendable {
    /// Seconds to load (or build) every index of the serving build.
    public var indexSeconds = 0.0
    /// Deltas applied on top of the full primary image.
    public var imageDeltas = 0
    /// Seconds to replay the change log after the images.
    public var replaySeconds = 0.0
    /// The change-log positions the replay went from and to.
    public var replayedThrough: (from: UInt64, to: UInt64) = (0, 0)
    /// Why a stored image was not used, when it was not (the index was rebuilt instead).
    public var discardedImage: String?

    /// Change-log positions replayed (entries truncated away leave no gaps to count).
    public var replayedChanges: UInt64 { replayedThrough.to &- min(replayedThrough.from, replayedThrough.to) }
}
