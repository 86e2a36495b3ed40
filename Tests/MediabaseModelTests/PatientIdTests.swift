import XCTest
@testable import MediabaseModel

/// The patient id rule of docs/spec.md §5.1: `^[A-Za-z][A-Za-z0-9_]{0,62}$`, lower-cased in names.
final class PatientIdTests: XCTestCase {
    func testValidIds() throws {
        let id = try PatientId("PATIENT_123", origin: "test")
        XCTAssertEqual(id.value, "PATIENT_123")
        XCTAssertEqual(id.schemaName, "patient_patient_123")
        XCTAssertEqual(id.sqliteFileName, "patient_patient_123.sqlite")
        XCTAssertNoThrow(try PatientId("x", origin: "test"))
        XCTAssertNoThrow(try PatientId("P" + String(repeating: "9", count: 62), origin: "test"))
    }

    func testHostileIdsAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("x; DROP TABLE", "contains \";\""),
            ("../etc", "starts with \".\""),
            ("P" + String(repeating: "9", count: 63), "64 characters"),
            ("patiënt", "contains \"ë\""),
            ("Ρ1", "starts with \"Ρ\""),
            ("1patient", "starts with \"1\""),
            ("_p", "starts with \"_\""),
            ("", "empty"),
            ("p-1", "contains \"-\""),
            ("p 1", "contains \" \""),
            ("p\n1", "contains \"\\n\""),
            ("p\u{0}", "contains \"\\u{0}\""),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try PatientId(text, origin: "manifest m.csv line 2")) { error in
                let message = error.localizedDescription
                XCTAssertTrue(message.contains(reason), "\(message) should say \(reason)")
                XCTAssertTrue(message.contains("from manifest m.csv line 2"), message)
                XCTAssertFalse(message.contains("\n"), "the id is escaped in the message")
            }
        }
    }
}
