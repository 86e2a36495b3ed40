import Foundation
import XCTest

/// The `mediabase` executable: `MEDIABASE_BIN`, or the one built beside the test bundle.
enum MediabaseBinary {
    static var path: String {
        get throws {
            if let path = ProcessInfo.processInfo.environment["MEDIABASE_BIN"] { return path }
            let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mediabase").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw XCTSkip("no mediabase executable at \(path); build it or set MEDIABASE_BIN")
            }
            return path
        }
    }
}
