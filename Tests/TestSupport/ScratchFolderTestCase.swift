import Foundation
import XCTest

/// A test case that gets a new empty scratch folder before each test and removes it after.
///
/// `open` because test classes in other targets subclass it; a subclass that sets up more calls
/// `super.setUpWithError()` first, and one that tears down more calls `super.tearDownWithError()`
/// last.
open class ScratchFolderTestCase: XCTestCase {
    /// This test's scratch folder (under the system temp folder).
    package private(set) var folder = ""

    override open func setUpWithError() throws {
        try super.setUpWithError()
        folder = try Fixtures.scratchFolder()
    }

    override open func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
        try super.tearDownWithError()
    }

    /// `name` inside the scratch folder.
    package func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
}
