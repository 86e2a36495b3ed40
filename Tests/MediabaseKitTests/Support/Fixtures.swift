import Foundation
import MediabaseTestSupport

/// Paths of committed fixtures and scratch folders for tests.
enum Fixtures {
    /// The repository root.
    static var root: String { Repository.root }

    static func path(_ relative: String) -> String { Repository.path("fixtures/" + relative) }

    /// A new empty folder under the system temp folder, removed by the caller.
    static func scratchFolder() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("mediabase-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
