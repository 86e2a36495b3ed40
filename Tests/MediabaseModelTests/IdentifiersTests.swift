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
}
