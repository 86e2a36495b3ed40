import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabasePatients
@testable import MediabasePipeline

/// `--max-rejects` stops a run with a message naming the input file, the table, the line and
/// the byte offset of the last reject, for each kind of bad value, for `--to sqlite` and
/// `--to bundle`, and for patient files. Lines and offsets are counted here from the bytes
/// written.
final class RejectLocationTests: ScratchFolderTestCase {
    /// A plain dump whose last row is the bad one; returns its path, and the row's line and byte offset.
    private func dump(named name: String, badRow: [UInt8]) throws -> (path: String, line: Int, offset: Int) {
        let head = Array("""
            CREATE TABLE public.cancer_transcript_base (
                transcript_id text NOT NULL,
                gene_id text,
                gene_symbol text,
                gene_type text,
                product_type text[],
                drugs jsonb
            );

            COPY public.cancer_transcript_base (transcript_id, gene_id, gene_symbol, gene_type, product_type, drugs) FROM stdin;
            ENST00000000001\tENSG00000000001\tA\tprotein_coding\t{enzyme}\t{}

            """.utf8)
        let bytes = head + badRow + Array("\n\\.\n\n".utf8)
        let path = self.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, head.filter { $0 == 0x0A }.count + 1, head.count)
    }

    private static let kinds: [(name: String, reason: String, row: [UInt8])] = [
        ("utf8", "invalid_text", Array("ENST00000000002\tENSG00000000002\tB\tprotein".utf8) + [0xFF] + Array("coding\t{}\t{}".utf8)),
        ("array", "field_product_type", Array("ENST00000000002\tENSG00000000002\tB\tprotein_coding\t{enzyme,\t{}".utf8)),
        ("json", "field_drugs", Array("ENST00000000002\tENSG00000000002\tB\tprotein_coding\t{}\t{\"x\": oops}".utf8)),
    ]

    func testTooManyRejectsNamesFileTableLineAndOffset() throws {
        for kind in Self.kinds {
            let input = try dump(named: "bad-\(kind.name).sql", badRow: kind.row)
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

    /// `inspect` lists each bad value with the file, line, byte offset, table and column.
    func testInspectNamesFileLineTableAndColumnOfEachBadValue() throws {
        for (kind, column) in zip(Self.kinds, ["gene_type", "product_type", "drugs"]) {
            let input = try dump(named: "inspect-\(kind.name).sql", badRow: kind.row)
            let result = try Subprocess.spawn([Repository.binary, "inspect", input.path, "--progress", "never"])
            let stderr = String(decoding: result.errors, as: UTF8.self)
            XCTAssertEqual(result.status, 2, "bad values found: \(stderr)")
            XCTAssertTrue(stderr.contains("\(input.path): line \(input.line) (byte \(input.offset)) in table public.cancer_transcript_base, column \(column): expected "),
                          "\(kind.name): \(stderr)")
            XCTAssertTrue(stderr.contains("\(input.path): 1 bad value(s)"), "\(kind.name): \(stderr)")
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
