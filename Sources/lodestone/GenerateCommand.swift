import ArgumentParser
import Foundation
import VectorFormats

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a reproducible clustered synthetic vector set (.npy or .fvecs)."
    )

    @Option(help: "Number of vectors.") var count: Int
    @Option(help: "Dimension of each vector.") var dim: Int
    @Option(help: "Number of Gaussian clusters.") var clusters: Int = 64
    @Flag(help: "Scale every vector to unit length (for cosine data).") var normalize = false
    @Option(help: "Seed; the same seed gives the same clusters.") var seed: UInt64 = 1
    @Option(help: "Independent draw from the same clusters (0 for a base set, 1 for queries).") var stream: UInt64 = 0
    @Option(help: "Output file (.npy or .fvecs).") var out: String

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard (1...65_536).contains(dim) else { throw ValidationError("--dim must be between 1 and 65536") }
    }

    func run() throws {
        let generator = SyntheticVectors(dimension: dim, clusters: clusters, normalized: normalize, seed: seed)
        let values = generator.generate(count: count, stream: stream)
        try VectorFile.write(values, rows: count, dimension: dim, to: URL(fileURLWithPath: out))
    }
}
