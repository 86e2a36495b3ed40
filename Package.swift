// swift-tools-version:6.2
import PackageDescription

// Exclusivity is checked at compile time; the run-time check costs ~3% on the hot loops. Hot loops
// cross target boundaries (decoders, buffers, SQLite statements), so release builds optimize
// across modules.
// `Lifetimes` lets a function return a `Span` that borrows from its argument (the bytes layer's
// safe views; docs/architecture.md, "Unsafe code").
let optimized: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release)),
    .enableExperimentalFeature("Lifetimes"),
]

/// For the targets that hold no unsafe code: any use of an unsafe construct (a pointer, a C call
/// taking one, `unsafe` escape hatches) is a compile error, so unsafe code stays in the bytes and
/// SQLite layers.
let memorySafe: [SwiftSetting] = [.unsafeFlags(["-strict-memory-safety", "-Werror", "StrictMemorySafety"])]

/// Every library target, for the test targets.
let libraries = [
    "MediabaseBytes", "MediabaseConcurrency", "MediabaseSQLite", "MediabaseModel", "MediabaseInput", "MediabaseLegacy", "MediabaseOutput",
    "MediabasePatients", "MediabaseValidate", "MediabaseInspect", "MediabaseGenerate", "MediabasePipeline",
]

let libraryDependencies = libraries.map { Target.Dependency.byName(name: $0) }

/// A library target; `safe` ones may hold no unsafe code (`memorySafe`).
func layer(_ name: String, _ dependencies: [Target.Dependency], safe: Bool = false) -> Target {
    .target(name: name, dependencies: dependencies, swiftSettings: optimized + (safe ? memorySafe : []))
}

let package = Package(
    name: "mediabase",
    platforms: [.macOS(.v13)],
    products: [.executable(name: "mediabase", targets: ["mediabase"])],
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
        // The layers, bottom up (docs/architecture.md): each target depends only on those above it
        // in this list, and the compiler keeps it so.
        // Bytes: buffers, streams and decoders (COPY text, arrays, JSON, UTF-8), the error type.
        layer("MediabaseBytes", ["CZlib"]),
        // The one set of threading primitives, checked by the compiler (Swift 6 mode).
        .target(name: "MediabaseConcurrency", swiftSettings: [.swiftLanguageMode(.v6)] + optimized + memorySafe),
        // The only target that imports CSQLite.
        layer("MediabaseSQLite", ["CSQLite", "MediabaseBytes"]),
        // Tables, values, identifiers, the legacy columns, reports and temporaries.
        layer("MediabaseModel", ["MediabaseBytes", .product(name: "Crypto", package: "swift-crypto")], safe: true),
        // Features.
        layer("MediabaseInput", ["MediabaseBytes", "MediabaseConcurrency", "MediabaseModel"], safe: true),
        layer("MediabaseLegacy", ["MediabaseBytes", "MediabaseSQLite", "MediabaseModel"], safe: true),
        .target(
            name: "MediabaseOutput",
            dependencies: [
                "MediabaseBytes", "MediabaseConcurrency", "MediabaseSQLite", "MediabaseModel", .product(name: "Crypto", package: "swift-crypto"),
            ],
            // `schemas` links to the repository's schemas/ folder: the DDL is written once there
            // and compiled into the binary.
            resources: [.embedInCode("schemas")],
            swiftSettings: optimized + memorySafe
        ),
        layer("MediabasePatients", ["MediabaseBytes", "MediabaseSQLite", "MediabaseModel", "MediabaseInput", "MediabaseOutput"], safe: true),
        layer("MediabaseValidate", ["MediabaseBytes", "MediabaseConcurrency", "MediabaseSQLite", "MediabaseModel", "MediabaseOutput", "MediabasePatients"], safe: true),
        layer("MediabaseInspect", ["MediabaseBytes", "MediabaseConcurrency", "MediabaseModel", "MediabaseInput"], safe: true),
        layer("MediabaseGenerate", ["MediabaseBytes", "MediabaseConcurrency", "MediabaseModel"], safe: true),
        // `convert` and `patients` from end to end: wires the features together.
        layer("MediabasePipeline", [
            "MediabaseBytes", "MediabaseConcurrency", "MediabaseSQLite", "MediabaseModel", "MediabaseInput", "MediabaseLegacy",
            "MediabaseOutput", "MediabasePatients", "MediabaseValidate", .product(name: "Crypto", package: "swift-crypto"),
        ], safe: true),
        // `rewrite-query`: SQL tokenizer, parser and the v0.5 → v0.6 rewriter; depends on nothing.
        .target(name: "MediabaseQuery", swiftSettings: [.swiftLanguageMode(.v6)] + memorySafe),
        // `mediabase serve`: the v0.6 HTTP API over the SQLite outputs (docs/spec.md §10).
        .target(
            name: "MediabaseServe",
            dependencies: [
                "MediabaseBytes", "MediabaseSQLite", "MediabaseModel", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: memorySafe
        ),
        .executableTarget(
            name: "mediabase",
            dependencies: [
                "MediabaseBytes", "MediabaseModel", "MediabaseInput", "MediabasePatients", "MediabaseValidate", "MediabaseInspect",
                "MediabaseGenerate", "MediabasePipeline", "MediabaseQuery", "MediabaseServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: memorySafe
        ),
        // What both test targets share: the private PostgreSQL cluster, running programs and the
        // binary, the repository's files, a sink that collects what a reader delivers.
        .target(name: "MediabaseTestSupport", dependencies: libraryDependencies, path: "Tests/TestSupport"),
        // One test target per library target, named after it (Tests/<target>Tests); EndToEndTests
        // run the binary.
    ] + (libraries.map { "\($0)Tests" } + ["EndToEndTests"]).map { name in
        .testTarget(name: name, dependencies: libraryDependencies + ["MediabaseTestSupport"])
    } + [
        .testTarget(name: "MediabaseQueryTests", dependencies: ["MediabaseQuery", "MediabaseModel"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "MediabaseServeTests", dependencies: ["MediabaseServe"]),
    ],
    swiftLanguageModes: [.v5]
)
