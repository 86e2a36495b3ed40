import XCTest
@testable import MediabaseModel
@testable import MediabasePipeline
import MediabaseTestSupport

/// ``ReportWriter``'s array written one element at a time gives the bytes of the whole report
/// encoded at once: for no, one and several elements, with empty and nested containers,
/// escapes, and the array's key also nested deeper in the report.
final class ReportWriterTests: ScratchFolderTestCase {
    private struct Element: Codable {
        var name: String
        var counts: [String: Int]
        var list: [String]
        var nested: [Element] = []
        var missing: Double?
    }

    private struct Report: Codable {
        var alpha = "a/b \"quoted\"\n\ttab é ✓"
        var patients: [Element]
        var inner = ["patients": [Int]()]
        var zeta: [Int] = []
    }

    func testStreamedArrayGivesTheBytesOfTheWholeReport() throws {
        let elements = [
            Element(name: "P1", counts: ["rows": 3, "stored": 2], list: ["x", ""], missing: 1.5),
            Element(name: "", counts: [:], list: [], nested: [Element(name: "deep", counts: ["k": 0], list: ["y"])]),
            Element(name: "P/3 \\ \u{1}", counts: ["a": -1], list: ["é"]),
        ]
        for count in [0, 1, 3] {
            let chosen = Array(elements.prefix(count))
            let whole = path("whole-\(count).json"), streamed = path("streamed-\(count).json")
            try ReportWriter.write(Report(patients: chosen), to: whole)
            try ReportWriter.write(Report(patients: []), to: streamed, arrayAt: "patients", elements: chosen)
            let expected = try Data(contentsOf: URL(fileURLWithPath: whole))
            XCTAssertEqual(String(decoding: try Data(contentsOf: URL(fileURLWithPath: streamed)), as: UTF8.self),
                           String(decoding: expected, as: UTF8.self), "\(count) element(s)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: TemporaryOutputs.temporary(for: streamed)), "no temporary file left")
        }
    }
}
