import XCTest
@testable import MediabaseBytes

/// ``InterruptCleanup``'s register and unregister keep exactly the paths registered and not yet
/// unregistered (a path registered twice is forgotten at once), whatever the order, with many
/// paths as a batch of patients registers them. Registering installs the signal handlers; no
/// signal is sent here.
final class InterruptCleanupTests: XCTestCase {
    func testUnregisterForgetsEveryPlaceOfAPathAndNothingElse() {
        let prefix = "/nonexistent/interrupt-cleanup-test-\(UUID().uuidString)/"
        let before = InterruptCleanup.registeredPaths
        var expected: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        let names = (0..<3_000).map { prefix + "part-\($0)" }
        for name in names {
            InterruptCleanup.register(name)
            expected[name, default: 0] += 1
            // Some twice, the second time later on.
            if name.hasSuffix("7") { InterruptCleanup.register(name); expected[name, default: 0] += 1 }
        }
        for name in names.shuffled(using: &generator).prefix(2_000) {
            InterruptCleanup.unregister(name)
            expected[name] = nil
        }
        InterruptCleanup.unregister(prefix + "never registered")
        let now = InterruptCleanup.registeredPaths
        var found: [String: Int] = [:]
        for path in now where path.hasPrefix(prefix) { found[path, default: 0] += 1 }
        XCTAssertEqual(found, expected)
        XCTAssertEqual(now.filter { !$0.hasPrefix(prefix) }.sorted(), before.sorted(), "other paths untouched")
        for name in names { InterruptCleanup.unregister(name) }
        XCTAssertEqual(InterruptCleanup.registeredPaths.sorted(), before.sorted())
    }
}
