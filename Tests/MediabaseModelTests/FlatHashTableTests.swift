import XCTest
@testable import MediabaseModel

/// The flat table keeps what `Set` and `Dictionary` would, through growth and clearing, with
/// keys that share their low bits (long probe runs) as well as random ones.
final class FlatHashTableTests: XCTestCase {
    /// A seeded generator (xorshift64*), so runs are repeatable.
    private struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
    }

    func testItKeepsWhatADictionaryKeeps() {
        var random = Seeded(state: 0xF1A7_0001)
        var table = FlatHashTable()
        var reference: [ContentHash: UInt8] = [:]
        for round in 0..<20_000 {
            // Every fourth key differs from others only above the low 16 bits: same first slot.
            let low = round % 4 == 0 ? UInt64.random(in: 0..<64, using: &random) << 16 : UInt64.random(in: 0...UInt64.max, using: &random)
            let key = ContentHash(low: low, high: low &* 31)
            let value = UInt8.random(in: 1...255, using: &random)
            XCTAssertEqual(table.insert(key, value: value), reference.updateValue(value, forKey: key) == nil)
            XCTAssertEqual(table[key], value)
        }
        XCTAssertEqual(table.count, reference.count)
        for (key, value) in reference { XCTAssertEqual(table[key], value) }
        for _ in 0..<1000 {
            let low = UInt64.random(in: 0...UInt64.max, using: &random)
            let key = ContentHash(low: low, high: low &* 31)
            XCTAssertEqual(table[key], reference[key])
        }
        table.removeAll()
        XCTAssertTrue(table.isEmpty)
        XCTAssertNil(table[reference.keys.first!])
        XCTAssertTrue(table.insert(reference.keys.first!))
        XCTAssertEqual(table.count, 1)
    }

    func testContentHashKeysDifferingOnlyInTheirHighHalfAreDistinct() {
        var table = FlatHashTable()
        for high in 0..<100 { XCTAssertTrue(table.insert(ContentHash(low: 7, high: UInt64(high)), value: UInt8(high + 1))) }
        for high in 0..<100 { XCTAssertEqual(table[ContentHash(low: 7, high: UInt64(high))], UInt8(high + 1)) }
        XCTAssertNil(table[ContentHash(low: 7, high: 100)])
        XCTAssertNil(table[ContentHash(low: 0, high: 0)])
        XCTAssertTrue(table.insert(ContentHash(low: 0, high: 0)))
        XCTAssertEqual(table[ContentHash(low: 0, high: 0)], 1)
        XCTAssertEqual(table.count, 101)
    }
}

extension FlatHashTableTests {
    /// A table made for n keys holds them without growing, in the bytes it says.
    func testATableMadeForItsKeysDoesNotGrow() {
        for count in [0, 1, 12, 13, 1000, 100_000] {
            var table = FlatHashTable(holding: count)
            let capacity = table.capacity
            XCTAssertEqual(FlatHashTable.bytes(holding: count), capacity * 17, "\(count)")
            for key in 0..<count { table.insert(ContentHash(low: UInt64(key) &* 0x9E37_79B9_7F4A_7C15, high: UInt64(key))) }
            XCTAssertEqual(table.capacity, capacity, "\(count) keys")
            XCTAssertEqual(table.count, count)
            XCTAssertLessThanOrEqual(capacity, max(16, 2 * count * 4 / 3 + 2), "no more than twice the room needed")
        }
    }
}
