import Foundation

/// Paths of committed fixtures and scratch folders for tests.
enum Fixtures {
    /// The repository root, found from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent("fixtures/" + relative) }

    /// A new empty folder under the system temp folder, removed by the caller.
    static func scratchFolder() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("mediabase-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
