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
        .executableTarget(
            name: "mediabase",
            dependencies: ["MediabaseKit", "MediabaseQuery", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "MediabaseKitTests", dependencies: ["MediabaseKit"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MediabaseKit"]),
        .testTarget(name: "MediabaseQueryTests", dependencies: ["MediabaseQuery"], swiftSettings: [.swiftLanguageMode(.v6)]),
    ],
    swiftLanguageModes: [.v5]
)
