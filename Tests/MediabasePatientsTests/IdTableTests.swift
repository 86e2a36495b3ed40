import XCTest
@testable import MediabasePatients

final class IdTableTests: XCTestCase {
    private func value(_ table: IdTable, _ key: String) -> Int32? {
        var key = key
        return key.withUTF8 { table.value(for: $0.span) }
    }

    func testShortAndLongKeysHitsAndMisses() {
        var entries: [(key: String, value: Int32)] = (0..<5000).map { ("ENST\(String(format: "%011d", $0))", Int32($0)) }
        entries += [("A", 9001), ("exactly_16_bytes", 9002), ("seventeen_bytes__", 9003), ("a considerably longer key, ünïcode", 9004)]
        let table = IdTable(entries)
        for (key, expected) in entries { XCTAssertEqual(value(table, key), expected, key) }
        for miss in ["", "B", "ENST99999999999", "ENST0000000000", "exactly_16_bytez", "seventeen_bytes_!", "a considerably longer key"] {
            XCTAssertNil(value(table, miss), miss)
        }
    }

    func testTheFirstOfEqualKeysWins() {
        let table = IdTable([("TP53", 1), ("TP53", 2), ("", 3)])
        XCTAssertEqual(value(table, "TP53"), 1)
        XCTAssertNil(value(table, ""))
    }
}
