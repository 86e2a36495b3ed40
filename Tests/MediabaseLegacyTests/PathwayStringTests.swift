import XCTest
@testable import MediabaseLegacy

final class PathwayStringTests: XCTestCase {
    private func parsed(_ text: String) -> [String]? {
        PathwayString.parse(text).map { [$0.id, $0.name, $0.source] }
    }

    func testBracketedSourceAndId() {
        XCTAssertEqual(parsed("Apoptosis [Reactome:R-HSA-109581]"), ["R-HSA-109581", "Apoptosis", "Reactome"])
        XCTAssertEqual(parsed("  Cell cycle [ KEGG : hsa04110 ] \t"), ["hsa04110", "Cell cycle", "KEGG"])
        // The last bracket counts; an empty name becomes the id.
        XCTAssertEqual(parsed("a [b] [Src:ID:2]"), ["ID:2", "a [b]", "Src"])
        XCTAssertEqual(parsed("[WikiPathways:WP254]"), ["WP254", "WP254", "WikiPathways"])
        XCTAssertEqual(parsed("Ünïcode ✓ [WikiPathways:WP1]"), ["WP1", "Ünïcode ✓", "WikiPathways"])
    }

    func testWithoutSourceAndIdTheIdIsDerivedFromTheName() {
        for text in ["Just a name", "Name [NoColon]", "Name [:X]", "Name [Src:]", "]", "[]", "Name ]"] {
            let reference = PathwayString.parse(text)
            XCTAssertEqual(reference?.source, "unknown", text)
            XCTAssertEqual(reference?.name, text, text)
            XCTAssertEqual(reference?.id, PathwayString.derivedId(text), text)
        }
        XCTAssertTrue(PathwayString.derivedId("Just a name").hasPrefix("UNK-"))
        XCTAssertEqual(PathwayString.derivedId("Just a name").count, 20)
        XCTAssertNil(PathwayString.parse(""))
        XCTAssertNil(PathwayString.parse(" \n "))
    }
}
