import Foundation
import XCTest
@testable import MediabaseBytes
import MediabaseTestSupport

final class OutputFileTests: ScratchFolderTestCase {
    func testWritesTruncatesAndCloses() throws {
        let target = path("out.bin")
        try Data("old contents that are longer".utf8).write(to: URL(fileURLWithPath: target))
        let file = try OutputFile(creatingAt: target)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try file.write(bytes.span)
        try file.write([UInt8]().span)
        try file.write(Array("end".utf8).span)
        try file.close()
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: target))), bytes + Array("end".utf8))
    }

    func testOpenFailureNamesThePath() {
        let target = path("missing/out.bin")
        XCTAssertThrowsError(try OutputFile(creatingAt: target)) { error in
            XCTAssertTrue(error.localizedDescription.contains(target), error.localizedDescription)
        }
    }

    func testPermissionsAndRemoval() throws {
        let target = path("script.sh")
        try OutputFile(creatingAt: target).close()
        try OutputFile.setPermissions(0o755, at: target)
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o755)
        OutputFile.remove(target)
        XCTAssertNil(FileKind(at: target))
        OutputFile.remove(target)
        XCTAssertThrowsError(try OutputFile.setPermissions(0o644, at: target))
    }
}
