import MediabaseGenerate
import MediabaseTestSupport
import XCTest
@testable import MediabaseModel

/// The packed set finds what `Set` finds, at every size (one group, many), with keys that crowd
/// into one group (the same top bits), repeated keys, and keys that differ only in their high
/// half; and its bytes are what it is sized for.
final class PackedHashSetTests: XCTestCase {
    func testItFindsWhatASetFinds() {
        var random = SplitMix64(seed: 0x9AC4_0001)
        for size in [0, 1, 3, 7, 8, 9, 31, 33, 1000, 50_000] {
            var keys: [ContentHash] = []
            for round in 0..<size {
                // Every 50th key shares its top 20 bits with the others of its kind: one crowded group.
                let random64 = UInt64.random(in: 0...UInt64.max, using: &random)
                let low = round % 50 == 0 ? UInt64(0xABCDE) << 44 | random64 >> 20 : random64
                keys.append(ContentHash(low: low, high: UInt64.random(in: 0...UInt64.max, using: &random)))
                // Every fifth key is given twice.
                if round % 5 == 0 { keys.append(keys[keys.count - 1]) }
            }
            let reference = Set(keys)
            let set = PackedHashSet(keys.shuffled(using: &random))
            XCTAssertEqual(set.count, keys.count, "\(size)")
            for key in reference { XCTAssertTrue(set.contains(key), "\(size)") }
            for key in reference.prefix(200) {
                // The same low half with another high half, and the same high half with another low half.
                XCTAssertFalse(set.contains(ContentHash(low: key.low, high: key.high &+ 1)), "\(size)")
                XCTAssertFalse(set.contains(ContentHash(low: key.low ^ (1 << 63), high: key.high)), "\(size)")
            }
            for _ in 0..<1000 {
                let key = ContentHash(low: UInt64.random(in: 0...UInt64.max, using: &random), high: UInt64.random(in: 0...UInt64.max, using: &random))
                XCTAssertEqual(set.contains(key), reference.contains(key), "\(size)")
            }
        }
    }

    /// `containsAll` of a batch says what `contains` of each of its keys says together: true for
    /// keys all present (an empty batch too), false as soon as one is missing, wherever it is in
    /// the batch, whether the set is empty, one group or many.
    func testContainsAllAgreesWithContains() {
        var random = SplitMix64(seed: 0x9AC4_0002)
        func randomKey() -> ContentHash {
            ContentHash(low: UInt64.random(in: 0...UInt64.max, using: &random), high: UInt64.random(in: 0...UInt64.max, using: &random))
        }
        for size in [0, 1, 9, 1000, 50_000] {
            let keys = (0..<size).map { _ in randomKey() }
            let set = PackedHashSet(keys)
            XCTAssertTrue(set.containsAll([ContentHash]().span), "\(size)")
            for batchSize in [1, 7, 256] where size > 0 {
                let present = (0..<batchSize).map { _ in keys[Int.random(in: 0..<size, using: &random)] }
                XCTAssertTrue(set.containsAll(present.span), "\(size), \(batchSize)")
                for missingAt in Set([0, batchSize / 2, batchSize - 1]) {
                    var batch = present
                    // The same low half as a present key, another high half: found by no lookup.
                    batch[missingAt] = ContentHash(low: batch[missingAt].low, high: batch[missingAt].high &+ 1)
                    XCTAssertFalse(set.contains(batch[missingAt]))
                    XCTAssertFalse(set.containsAll(batch.span), "\(size), \(batchSize), missing at \(missingAt)")
                }
            }
            let absent = [randomKey()]
            XCTAssertEqual(set.containsAll(absent.span), set.contains(absent[0]), "\(size)")
        }
    }

    /// 16 bytes a key and the group starts, twice while it is built: at most 18 a key, under two
    /// thirds of a flat table's, and the 3.4 million transcripts of a 4 GB lean dump in 64 MiB.
    func testItsBytesAreAboutSeventeenAKey() {
        XCTAssertEqual(PackedHashSet.bytes(holding: 0), 2 * 2 * 4)
        for count in [1 << 17, 863_539, 3_445_569] {
            let bytes = PackedHashSet.bytes(holding: count)
            XCTAssertGreaterThan(bytes, count * 16, "\(count)")
            XCTAssertLessThanOrEqual(bytes, count * 18 + 8, "\(count)")
            XCTAssertLessThan(bytes * 3, FlatHashTable.bytes(holding: count) * 2, "\(count)")
        }
        XCTAssertLessThanOrEqual(PackedHashSet.bytes(holding: 3_445_569), 64 << 20)
    }
}
