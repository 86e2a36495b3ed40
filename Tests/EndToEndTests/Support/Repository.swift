import Foundation

/// What the end-to-end tests find on disk: the repository's files and the binary under test.
enum Repository {
    /// The repository root, found from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `relative` inside the repository (`fixtures/r/tables`).
    static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// The `mediabase` binary built beside the test bundle, or `$MEDIABASE_BIN`.
    static var binary: String {
        if let given = ProcessInfo.processInfo.environment["MEDIABASE_BIN"] { return given }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mediabase").path
    }
}
