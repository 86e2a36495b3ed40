import MediabaseBytes
import XCTest
@testable import MediabaseModel

final class IdentifiersTests: XCTestCase {
    func testNormalizedEnsemblIds() {
        XCTAssertEqual(Identifiers.normalizedEnsemblId(" ENST00000269305.4 "), "ENST00000269305")
        XCTAssertEqual(Identifiers.normalizedEnsemblId("ensembl:enst00000269305"), "ENST00000269305")
        XCTAssertEqual(Identifiers.normalizedEnsemblId("NM_000546.6"), "NM_000546.6")
        XCTAssertEqual(Identifiers.normalizedEnsemblId("HGNC:11998"), "HGNC:11998")
    }

    /// Upper-case ids take a path without a copy, others the one that changes bytes: both give
    /// the forms of docs/spec.md §4.1.
    func testNormalizedEnsemblIdsInEveryCase() {
        let expected = [
            "ENST00000269305": "ENST00000269305", "ENSMUSG00000059552.12": "ENSMUSG00000059552",
            "EnsT00000269305.4": "ENST00000269305", "ensmusg00000059552": "ENSMUSG00000059552",
            "ENST00000269305.": "ENST00000269305.", "ENST00000269305.x": "ENST00000269305.X",
            "ENST00000269305.4a": "ENST00000269305.4A", "ENST00000269305.1.2": "ENST00000269305.1",
            "ENSGOTTHUMT0000012345678.10": "ENSGOTTHUMT0000012345678", "Ensembl: ENSG00000141510.2": "ENSG00000141510",
            "ENS1": "ENS1", "ENST": "ENST", "ensx": "ensx", "": "", "  ": "", "OTTHUMT00001590333": "OTTHUMT00001590333",
        ]
        for (raw, normalized) in expected {
            XCTAssertEqual(Identifiers.normalizedEnsemblId(raw), normalized, raw)
        }
    }

    /// Where the normalized id is bytes of the raw one as they are, the range says where; ids
    /// whose letters are upper-cased have none.
    func testNormalizedEnsemblIdRangesAreTheNormalizedIdsBytes() {
        let unchanged = ["ENST00000269305", "ENSMUSG00000059552.12", "ENST00000269305.", "ENST00000269305.1.2", "Ensembl: ENSG00000141510.2",
                         "ensembl:ENST00000269305", " ENST00000269305.4 ", "ENS1", "ENST", "ensx", "", "  ", "OTTHUMT00001590333", "NM_000546.6",
                         "HGNC:11998", "x:y", "ens:", "uc1.1 ", "123"]
        for raw in unchanged {
            let bytes = Array(raw.utf8)
            guard let range = Identifiers.normalizedEnsemblIdRange(bytes.span) else {
                XCTFail("no range for \(raw.debugDescription)")
                continue
            }
            XCTAssertEqual(String(decoding: bytes[range], as: UTF8.self), Identifiers.normalizedEnsemblId(raw), raw.debugDescription)
        }
        for raw in ["EnsT00000269305.4", "ensmusg00000059552", "ENST00000269305.x", "ENST00000269305.4a", "ensembl:enst00000269305"] {
            XCTAssertNil(Identifiers.normalizedEnsemblIdRange(Array(raw.utf8).span), raw)
            XCTAssertNotEqual(Identifiers.normalizedEnsemblId(raw), raw.trimmingCharacters(in: .whitespaces), raw)
        }
    }

    func testWithoutEnsemblVersionStripsOnlyEnsemblVersions() {
        let expected = [
            "ENST00000269305.4": "ENST00000269305", "ENSG00000141510": "ENSG00000141510",
            "NM_000546.6": "NM_000546.6", "ENST00000269305.x": "ENST00000269305.x",
        ]
        for (id, stripped) in expected {
            XCTAssertEqual(String(utf8: Identifiers.withoutEnsemblVersion(id.utf8.span)), stripped, id)
        }
        XCTAssertTrue(Identifiers.hasEnsemblVersion("ENST00000269305.4".utf8.span))
        XCTAssertFalse(Identifiers.hasEnsemblVersion("NM_000546.6".utf8.span))
    }

    func testEnsemblVersionAgreesWithTheTwoChecks() {
        let ids = [
            "ENST00000269305.4", "ENSG00000141510", "NM_000546.6", "ENST00000269305.x", "ENST00000269305.",
            "ENST00000269305.1.2", "ENST00000269305.1.x", "ensmusg0001.12", "ENS1", "ENS12", "ENST", "ENSTX",
            "ENST1a.2", "ENSGOTTHUMT0000012345678.10", "ENS.1", "E", "", ".", "ENSG1..2", "ENSG1.2.",
        ]
        for id in ids {
            let span = id.utf8.span
            let found = Identifiers.ensemblVersion(span)
            XCTAssertEqual(found.versioned, Identifiers.hasEnsemblVersion(span), id)
            XCTAssertEqual(found.keyCount, Identifiers.withoutEnsemblVersion(span).count, id)
        }
    }
}
