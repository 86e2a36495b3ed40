import Foundation

/// Paths of committed fixtures and scratch folders for tests.
package enum Fixtures {
    /// The repository root.
    package static var root: String { Repository.root }

    package static func path(_ relative: String) -> String { Repository.path("fixtures/" + relative) }

    /// A new empty folder under the system temp folder, removed by the caller.
    package static func scratchFolder() throws -> String {
        try Repository.scratchFolder("test")
    }
}
