// swift-tools-version: 6.1
import Foundation
import PackageDescription

// A path dependency's package identity is its directory name, which depends on where the
// repository was cloned; derive it instead of hard-coding it.
let rootPackage = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// Kept as its own package so the main package builds without the benchmark harness.
let package = Package(
    name: "LodestoneBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DistanceKernels",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VectorKernels", package: rootPackage),
            ],
            path: "Benchmarks/DistanceKernels",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
