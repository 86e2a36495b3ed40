import Foundation

/// What the tests find on disk: the repository's files and the `mediabase` binary under test.
package enum Repository {
    /// The repository root, found from this file's path (`Tests/TestSupport/Repository.swift`).
    package static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `relative` inside the repository (`fixtures/r/tables`).
    package static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// The `mediabase` binary built beside the test bundle (`swift build --build-tests` builds
    /// it), or `$MEDIABASE_BIN`.
    package static var binary: String {
        if let given = ProcessInfo.processInfo.environment["MEDIABASE_BIN"] { return given }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mediabase").path
    }

    /// A new empty folder `mediabase-<name>-<UUID>` under the system temporary folder; the
    /// caller removes it.
    package static func scratchFolder(_ name: String) throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("mediabase-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
