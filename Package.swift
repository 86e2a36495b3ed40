// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mediabase",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mediabase", targets: ["mediabase"]),
        .library(name: "MediabaseKit", targets: ["MediabaseKit"]),
        .library(name: "MediabaseQuery", targets: ["MediabaseQuery"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "MediabaseKit",
            dependencies: [
                "CSQLite", "CZlib", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            // `schemas` links to the repository's schemas/ folder: the DDL is written once there
            // and compiled into the binary.
            resources: [.embedInCode("schemas")],
            // Exclusivity is checked at compile time; the run-time check costs ~3% on the hot loops.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // `rewrite-query`: SQL tokenizer, parser and the v0.5 → v0.6 rewriter; depends on nothing.
        .target(name: "MediabaseQuery", swiftSettings: [.swiftLanguageMode(.v6)]),
        // `mediabase serve`: the v0.6 HTTP API over the SQLite outputs (docs/spec.md §10).
        .target(
            name: "MediabaseServe",
            dependencies: [
                "MediabaseKit", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "mediabase",
            dependencies: ["MediabaseKit", "MediabaseQuery", "MediabaseServe", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // What both test targets share: the private PostgreSQL cluster, running programs and the
        // binary, the repository's files, a sink that collects what a reader delivers.
        .target(name: "MediabaseTestSupport", dependencies: ["MediabaseKit"], path: "Tests/TestSupport"),
        .testTarget(name: "MediabaseKitTests", dependencies: ["MediabaseKit", "MediabaseTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MediabaseKit", "MediabaseTestSupport"]),
        .testTarget(name: "MediabaseQueryTests", dependencies: ["MediabaseQuery"], swiftSettings: [.swiftLanguageMode(.v6)]),
    ],
    swiftLanguageModes: [.v5]
)
