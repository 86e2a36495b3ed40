import XCTest
@testable import MediabaseBytes

/// ``ByteHash/hash128(_:)``'s halves. Hash tables (``FlatHashTable``, the inspect cache) take a
/// key's slot from the low half alone, so that half must change with every byte of the input:
/// keys of one layout, such as `gene\tdb\tid` link keys of 32 bytes and more, can differ in
/// bytes that one lane of the 32-byte step reads, and a half without that lane gave thousands of
/// such keys one slot (a quadratic bundle check on a gene with 30,000 RefSeq ids).
final class ByteHashTests: XCTestCase {
    /// Changing any one byte of inputs of 1–96 bytes changes both halves.
    func testEveryByteChangesBothHalves() {
        for count in 1...96 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let original = ByteHash.hash128(bytes.span)
            for position in 0..<count {
                var changed = bytes
                changed[position] ^= 0x5A
                let hash = ByteHash.hash128(changed.span)
                XCTAssertNotEqual(hash.low, original.low, "length \(count), byte \(position): low half unchanged")
                XCTAssertNotEqual(hash.high, original.high, "length \(count), byte \(position): high half unchanged")
            }
        }
    }

    /// Link keys of one gene and database that differ only in bytes 24–31 (a RefSeq id's digits)
    /// spread over a table's slots as random keys would.
    func testKeysDifferingInOneLaneSpreadOverSlots() {
        let keys = 10_000
        let slots = 1 << 14
        var used = Set<UInt64>()
        for number in 0..<keys {
            // "ENSG00000141510\tRefSeq\tNM_" is 26 bytes: the six digits are bytes 26–31.
            let key = Array("ENSG00000141510\tRefSeq\tNM_\(String(format: "%06d", number)).6".utf8)
            XCTAssertEqual(key.count, 34)
            used.insert(ByteHash.hash128(key.span).low & UInt64(slots - 1))
        }
        // Random keys would fill about slots × (1 − e^(−keys/slots)) ≈ 7,060 slots.
        XCTAssertGreaterThan(used.count, 6_500, "low halves crowd into \(used.count) of \(slots) slots")
    }
}
