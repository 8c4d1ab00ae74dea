// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Lodestone",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lodestone", targets: ["lodestone"]),
        .library(name: "VectorKernels", targets: ["VectorKernels"]),
        .library(name: "VectorIndex", targets: ["VectorIndex"]),
        .library(name: "VectorFormats", targets: ["VectorFormats"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Lifecycle", targets: ["Lifecycle"]),
        .library(name: "Embeddings", targets: ["Embeddings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(
            name: "CVectorKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]
        ),
        .target(
            name: "VectorKernels",
            dependencies: ["CVectorKernels", "COpenBLAS"]
        ),
        .target(
            name: "VectorFormats"
        ),
        .target(
            name: "VectorIndex",
            dependencies: ["VectorKernels"]
        ),
        .target(
            name: "Storage",
            dependencies: ["CLMDB"]
        ),
        .target(
            name: "Embeddings",
            dependencies: ["COpenBLAS"]
        ),
        .target(
            name: "Lifecycle",
            dependencies: [
                "Storage", "VectorIndex", "VectorKernels", "Embeddings",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "LodestoneServer",
            dependencies: [
                "Lifecycle", "Storage", "Embeddings", "VectorIndex", "VectorFormats",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("openapi.json"), .copy("console")]
        ),
        // The child process that the crash test kills at random moments.
        .executableTarget(
            name: "storage-crash-child",
            dependencies: ["Storage"]
        ),
        .executableTarget(
            name: "lodestone",
            dependencies: [
                "Lifecycle",
                "LodestoneServer",
                "Embeddings",
                "COpenBLAS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "Storage",
                "VectorIndex",
                "VectorKernels",
                "VectorFormats",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "VectorKernelsTests",
            dependencies: ["VectorKernels"]
        ),
        .testTarget(
            name: "VectorIndexTests",
            dependencies: ["VectorIndex", "VectorKernels"]
        ),
        .testTarget(
            name: "VectorFormatsTests",
            dependencies: ["VectorFormats"]
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "storage-crash-child"]
        ),
        .testTarget(
            name: "EmbeddingsTests",
            dependencies: ["Embeddings"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LifecycleTests",
            dependencies: ["Lifecycle", "Storage", "VectorIndex", "VectorKernels", "VectorFormats"]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "LodestoneServer", "Lifecycle",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CommandLineTests",
            dependencies: ["VectorFormats", "Lifecycle", "Storage", "lodestone"]
        ),
    ]
)

// Every Swift target builds with the same strict settings; the C and system-library targets
// have none to take.
for target in package.targets where target.type != .system && target.cSettings == nil {
    target.swiftSettings = strictSettings
}
