// swift-tools-version: 6.0
import PackageDescription

// Module layout follows docs/ARCHITECTURE.md: lower layers never import higher ones.
let package = Package(
    name: "Doppel",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Doppel", targets: ["Doppel"]),
        .executable(name: "doppel", targets: ["doppel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (Debian -dev packages, installed by scripts/setup.sh).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),

        // Typed columnar tables: no files, no models.
        .target(name: "DoppelTable"),
        // Crash-safe file writes (one atomic writer for data, metadata and model files) and file errors.
        .target(name: "DoppelFiles"),
        // File formats: CSV, Arrow IPC, Parquet.
        .target(name: "DoppelIO", dependencies: ["DoppelFiles", "DoppelTable", "DoppelParallel", "CZlib", "CZstd", "CSnappy", "CLZ4"]),
        // One Executor API for every parallel loop.
        .target(name: "DoppelParallel"),
        // Statistics and encodings per column type.
        .target(name: "DoppelEncoding", dependencies: ["DoppelTable", "DoppelParallel"]),
        // Tensors, BLAS kernels, layers, optimisers.
        .target(name: "DoppelNN", dependencies: ["CBLAS", "DoppelParallel"]),
        // The TabularARGN-style models, training loop, sampling.
        .target(name: "DoppelModel", dependencies: ["DoppelFiles", "DoppelNN", "DoppelParallel", "CZlib"]),
        // Fidelity and privacy metrics, HTML report.
        .target(name: "DoppelQuality", dependencies: ["DoppelTable", "DoppelParallel"]),
        // The pipeline facade: workspace layout and the pipeline steps.
        .target(name: "Doppel", dependencies: ["DoppelFiles", "DoppelTable", "DoppelIO", "DoppelParallel", "DoppelEncoding", "DoppelModel", "DoppelQuality"]),

        .executableTarget(
            name: "doppel",
            dependencies: ["Doppel", "DoppelFiles", "DoppelParallel", "DoppelEncoding", "DoppelNN", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "doppel-bench", dependencies: ["Doppel", "DoppelTable", "DoppelParallel"]),
        // Neural-core micro-benchmarks: sgemm GFLOP/s and a grouped-head training step.
        .executableTarget(name: "doppel-nn-bench", dependencies: ["DoppelNN", "DoppelParallel"]),
        // A tiny worker executable with test tasks for the processes backend's tests.
        .executableTarget(name: "doppel-worker-fixture", dependencies: ["DoppelParallel"]),
        // Flat-model benchmark: training rows/s, generation time, peak RSS on a census-like schema.
        .executableTarget(name: "doppel-model-bench", dependencies: ["DoppelModel", "DoppelNN", "DoppelParallel"]),

        // Paths and helpers shared by the test targets.
        .target(name: "DoppelTestSupport", dependencies: ["DoppelTable", "DoppelParallel"], path: "Tests/Support"),
        .testTarget(name: "DoppelTableTests", dependencies: ["DoppelTable", "DoppelTestSupport"]),
        .testTarget(name: "DoppelIOTests", dependencies: ["DoppelIO", "DoppelParallel", "DoppelTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DoppelParallelTests", dependencies: ["DoppelParallel", "DoppelTestSupport", "doppel-worker-fixture"]),
        .testTarget(name: "DoppelEncodingTests", dependencies: ["DoppelEncoding", "DoppelTestSupport"]),
        .testTarget(name: "DoppelNNTests", dependencies: ["DoppelNN", "DoppelParallel", "DoppelTestSupport"]),
        .testTarget(name: "DoppelModelTests", dependencies: ["DoppelModel", "DoppelNN", "DoppelParallel", "DoppelTestSupport"]),
        .testTarget(name: "DoppelQualityTests", dependencies: ["DoppelQuality", "DoppelTestSupport"]),
        .testTarget(name: "DoppelTests", dependencies: ["Doppel", "DoppelTestSupport"]),
    ]
)
