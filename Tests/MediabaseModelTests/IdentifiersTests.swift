import XCTest
@testable import MediabaseModel

final class IdentifiersTests: XCTestCase {
    private func bytes<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var text = text
        return text.withUTF8(body)
    }

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
            XCTAssertEqual(bytes(id) { String(decoding: Identifiers.withoutEnsemblVersion($0), as: UTF8.self) }, stripped, id)
        }
        XCTAssertTrue(bytes("ENST00000269305.4") { Identifiers.hasEnsemblVersion($0) })
        XCTAssertFalse(bytes("NM_000546.6") { Identifiers.hasEnsemblVersion($0) })
    }
}
