import Benchmark
import VectorKernels

/// Throughput of every distance kernel on every instruction-set path this CPU supports.
///
/// Each run cycles through 256 vector pairs (about 3 MiB at 1536 dimensions) so the figure is
/// for L2/L3-resident data, as during a graph search, not one pair pinned in L1. Besides
/// throughput (calls per second) each benchmark reports MB/s of vector data read and MFLOP/s
/// (2 flops per component for dot, 3 for l2, 6 for cosine) (integers, because
/// package-benchmark records integers).
let benchmarks: @Sendable () -> Void = {
    let pairs = 256
    let dimensions = [128, 384, 768, 1536]
    for dimension in dimensions {
        var generator = SystemRandomNumberGenerator()
        let left = (0..<(pairs * dimension)).map { _ in Float.random(in: -1...1, using: &generator) }
        let right = (0..<(pairs * dimension)).map { _ in Float.random(in: -1...1, using: &generator) }
        for isa in KernelISA.supported {
            for metric in Metric.allCases {
                let kernel = DistanceKernel(metric: metric, isa: isa)
                let flopsPerComponent: Double = switch metric {
                case .dot: 2
                case .l2: 3
                case .cosine: 6
                }
                Benchmark(
                    "\(metric.rawValue) d=\(dimension) \(isa.shortName)",
                    configuration: .init(
                        metrics: [.throughput, .wallClock,
                                  .custom("MB/s", polarity: .prefersLarger, useScalingFactor: false),
                                  .custom("MFLOP/s", polarity: .prefersLarger, useScalingFactor: false)],
                        scalingFactor: .kilo,
                        maxDuration: .milliseconds(400),
                        maxIterations: 200
                    )
                ) { benchmark in
                    var sink: Float = 0
                    let start = ContinuousClock.now
                    left.withUnsafeBufferPointer { a in
                        right.withUnsafeBufferPointer { b in
                            for iteration in benchmark.scaledIterations {
                                let offset = (iteration % pairs) * dimension
                                sink += kernel.distance(a.baseAddress! + offset, b.baseAddress! + offset, count: dimension)
                            }
                        }
                    }
                    let elapsed = ContinuousClock.now - start
                    blackHole(sink)
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    let calls = Double(benchmark.scaledIterations.count)
                    let bytes = calls * Double(2 * dimension * MemoryLayout<Float>.size)
                    let flops = calls * Double(dimension) * flopsPerComponent
                    benchmark.measurement(.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false), Int(bytes / seconds / 1e6))
                    benchmark.measurement(.custom("MFLOP/s", polarity: .prefersLarger, useScalingFactor: false), Int(flops / seconds / 1e6))
                }
            }
        }
    }
}
