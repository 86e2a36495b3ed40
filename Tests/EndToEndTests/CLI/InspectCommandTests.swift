import Foundation
import MediabaseTestSupport
import XCTest

/// `mediabase inspect` as a user runs it: exit status 2 when it finds bad values, each listed on
/// stderr with the file, line, byte offset, table and column (counted here from the bytes
/// written).
final class InspectCommandTests: ScratchFolderTestCase {
    func testInspectNamesFileLineTableAndColumnOfEachBadValue() throws {
        for kind in BadValueDumps.kinds {
            let path = self.path("inspect-\(kind.name).sql")
            let bad = try BadValueDumps.write(to: path, badRow: kind.row)
            let result = try Subprocess.spawn([Repository.binary, "inspect", path, "--progress", "never"])
            let stderr = String(decoding: result.errors, as: UTF8.self)
            XCTAssertEqual(result.status, 2, "bad values found: \(stderr)")
            XCTAssertTrue(stderr.contains("\(path): line \(bad.line) (byte \(bad.offset)) in table public.cancer_transcript_base, column \(kind.column): expected "),
                          "\(kind.name): \(stderr)")
            XCTAssertTrue(stderr.contains("\(path): 1 bad value(s)"), "\(kind.name): \(stderr)")
        }
    }

    func testACleanDumpExitsZero() throws {
        let path = self.path("clean.sql")
        _ = try BadValueDumps.write(to: path, badRow: Array("ENST00000000002\tENSG00000000002\tB\tprotein_coding\t{}\t{}".utf8))
        let result = try Subprocess.spawn([Repository.binary, "inspect", path, "--progress", "never"])
        XCTAssertEqual(result.status, 0, String(decoding: result.errors, as: UTF8.self))
    }
}
