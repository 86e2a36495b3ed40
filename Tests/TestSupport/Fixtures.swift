import Foundation

/// Paths of committed fixtures and scratch folders for tests.
enum Fixtures {
    /// The repository root.
    static var root: String { Repository.root }

    static func path(_ relative: String) -> String { Repository.path("fixtures/" + relative) }

    /// A new empty folder under the system temp folder, removed by the caller.
    static func scratchFolder() throws -> String {
        try Repository.scratchFolder("test")
    }
}
