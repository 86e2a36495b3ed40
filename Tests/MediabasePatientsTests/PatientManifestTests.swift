import XCTest
@testable import MediabasePatients
import MediabaseTestSupport

final class PatientManifestTests: ScratchFolderTestCase {
    private func manifest(_ name: String, _ text: String) throws -> String {
        try PatientFixtures.write([name: text], in: folder)[0]
    }

    func testCSVManifestWithClinicalMetadata() throws {
        let path = try manifest("m.csv", #"""
            patient_id,file,cancer_type,cancer_subtype,tissue_type,sample_type,sequencing_platform,read_depth_millions,clinical_notes,cohort
            P1,data/p1.csv,breast,HER2+,tumor,FFPE,Illumina NovaSeq,45.5,"ER-, PR-; notes with ""quotes""",A
            P2,/abs/p2.tsv,lung,,,,,,,

            """#)
        let patients = try accepted(PatientManifest.load(path: path))
        XCTAssertEqual(patients.map(\.id.value), ["P1", "P2"])
        XCTAssertEqual(patients[0].file, self.path("data/p1.csv"))
        XCTAssertEqual(patients[1].file, "/abs/p2.tsv")
        XCTAssertEqual(patients[0].clinical.cancerSubtype, "HER2+")
        XCTAssertEqual(patients[0].clinical.readDepthMillions, 45.5)
        XCTAssertEqual(patients[0].clinical.clinicalNotes, "ER-, PR-; notes with \"quotes\"")
        XCTAssertEqual(patients[0].clinical.extra, ["cohort": "A"])
        XCTAssertNil(patients[1].clinical.tissueType)
        XCTAssertEqual(patients[1].origin, "manifest \(path) line 3")
    }

    func testJSONManifest() throws {
        let path = try manifest("m.json", """
            {"patients": [
              {"patient_id": "P1", "file": "p1.csv", "cancer_type": "breast", "read_depth_millions": 30},
              {"PATIENT_ID": "P2", "FILE": "p2.csv", "clinical_notes": null, "cohort": {"arm": "B"}}
            ]}
            """)
        let patients = try accepted(PatientManifest.load(path: path))
        XCTAssertEqual(patients.map(\.id.value), ["P1", "P2"])
        XCTAssertEqual(patients[0].clinical.readDepthMillions, 30)
        XCTAssertEqual(patients[1].clinical.extra, ["cohort": "{\"arm\":\"B\"}"])
        XCTAssertEqual(patients[1].origin, "manifest \(path) patients[1]")
    }

    func testHostileIdsAndMissingFieldsRefuseThatPatientAlone() throws {
        for (text, expected, givenId) in [
            ("patient_id,file\n\"x; DROP TABLE t\",a.csv\nP2,b.csv\n", "x; DROP TABLE t", "x; DROP TABLE t"),
            ("{\"patients\": [{\"patient_id\": \"../etc\", \"file\": \"a.csv\"}, {\"patient_id\": \"P2\", \"file\": \"b.csv\"}]}", "../etc", "../etc"),
            ("{\"patients\": [{\"patient_id\": \" P1\", \"file\": \"a.csv\"}, {\"patient_id\": \"P2\", \"file\": \"b.csv\"}]}", "starts with \" \"", " P1"),
            ("patient_id,file\nP1,\nP2,b.csv\n", "a file for patient \"P1\"", "P1"),
            ("file,patient_id\na.csv,\nb.csv,P2\n", "a patient_id", ""),
            ("patient_id,file,read_depth_millions\nP1,a.csv,deep\nP2,b.csv,3\n", "a number for read_depth_millions", "P1"),
        ] {
            let path = try manifest("m", text)
            let requests = try PatientManifest.load(path: path)
            XCTAssertEqual(requests.count, 2, text)
            guard case let .refused(refusal) = requests[0] else { return XCTFail("not refused: \(text)") }
            XCTAssertTrue(refusal.reason.contains(expected), refusal.reason)
            XCTAssertEqual(refusal.givenId, givenId)
            XCTAssertTrue(refusal.origin.hasPrefix("manifest \(path) "), refusal.origin)
            XCTAssertEqual(try accepted([requests[1]]).map(\.id.value), ["P2"], text)
        }
    }

    func testAManifestThatCannotBeReadFailsTheBatch() throws {
        let path = try manifest("m", "{\"patients\": 3}")
        XCTAssertThrowsError(try PatientManifest.load(path: path)) { error in
            XCTAssertTrue(error.localizedDescription.contains("{\"patients\": [...]}"), error.localizedDescription)
        }
    }

    private struct UnexpectedRefusal: Error {
        var reason: String
    }

    /// The accepted patients; throws (failing the test) on a refused one.
    private func accepted(_ requests: [PatientRequest]) throws -> [PatientSpec] {
        try requests.map { request in
            switch request {
            case let .accepted(patient): return patient
            case let .refused(refusal): throw UnexpectedRefusal(reason: refusal.reason)
            }
        }
    }
}
