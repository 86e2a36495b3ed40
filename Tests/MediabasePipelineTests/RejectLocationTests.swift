import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabasePatients
@testable import MediabasePipeline

/// `--max-rejects` stops a run with a message naming the input file, the table, the line and
/// the byte offset of the last reject, for each kind of bad value (``BadValueDumps``), for
/// `--to sqlite` and `--to bundle`, and for patient files. Lines and offsets are counted here
/// from the bytes written. (inspect's list of bad values: `InspectCommandTests`.)
final class RejectLocationTests: ScratchFolderTestCase {
    func testTooManyRejectsNamesFileTableLineAndOffset() throws {
        for kind in BadValueDumps.kinds {
            let path = self.path("bad-\(kind.name).sql")
            let bad = try BadValueDumps.write(to: path, badRow: kind.row)
            let input = (path: path, line: bad.line, offset: bad.offset)
            for target in OutputTarget.allCases {
                var options = ConversionOptions(input: input.path, output: (folder as NSString).appendingPathComponent("\(kind.name).\(target.rawValue)"))
                options.target = target
                options.progress = .never
                options.maxRejects = 0
                XCTAssertThrowsError(try Conversion.run(options), "\(kind.name) \(target)") { error in
                    let message = error.localizedDescription
                    let place = "\(input.path):\(input.line) (byte \(input.offset)) in table public.cancer_transcript_base: too many rejects: 1 > --max-rejects 0"
                    XCTAssertTrue(message.hasPrefix(place), "\(kind.name) \(target): \(message)")
                    XCTAssertTrue(message.contains(kind.reason), "\(kind.name) \(target): \(message)")
                }
                XCTAssertFalse(FileManager.default.fileExists(atPath: options.output), "no output after a fatal reject")
            }
        }
    }

    func testAPatientsTooManyRejectsNamesItsFile() throws {
        let report = try PatientFixtures.run(["A.csv": "transcript_id,fc\nENST00000269305,2\nENST00000269305,abc\n"], in: folder) { $0.maxRejects = 0 }
        let file = path("A.csv")
        let offset = "transcript_id,fc\nENST00000269305,2\n".utf8.count
        XCTAssertEqual(report.failed, ["A"])
        let message = try XCTUnwrap(report.patients.first?.error)
        XCTAssertTrue(message.contains("\(file):3 (byte \(offset))"), message)
        XCTAssertTrue(message.contains("too many rejects: 1 > --max-rejects 0"), message)
    }

    /// A manifest that is not JSON: the file and the offending byte, not a Foundation message.
    func testABrokenJSONManifestNamesFileAndByte() throws {
        let path = self.path("patients.json")
        let text = "{\"patients\": [{\"patient_id\": \"A\", \"file\": \"a.csv\",}]}"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        // The first byte JSON does not allow: the "}" after a trailing comma.
        let offset = text.utf8.count - 3
        XCTAssertThrowsError(try PatientManifest.load(path: path)) { error in
            XCTAssertEqual(error.localizedDescription, "\(path) (byte \(offset)): expected a JSON manifest: a string key")
        }
    }
}
