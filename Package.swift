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

        // Typed columnar tables: no files, no models.
        .target(name: "DoppelTable"),
        // File formats: CSV, Arrow IPC, atomic writes.
        .target(name: "DoppelIO", dependencies: ["DoppelTable", "CZlib"]),
        // The pipeline facade: workspace layout and the pipeline steps.
        .target(name: "Doppel", dependencies: ["DoppelTable", "DoppelIO"]),

        .executableTarget(
            name: "doppel",
            dependencies: ["Doppel", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "doppel-bench", dependencies: ["Doppel"]),

        // Paths and helpers shared by the test targets.
        .target(name: "DoppelTestSupport", path: "Tests/Support"),
        .testTarget(name: "DoppelTableTests", dependencies: ["DoppelTable", "DoppelTestSupport"]),
        .testTarget(name: "DoppelIOTests", dependencies: ["DoppelIO", "DoppelTestSupport"]),
        .testTarget(name: "DoppelTests", dependencies: ["Doppel", "DoppelTestSupport"]),
    ]
)
