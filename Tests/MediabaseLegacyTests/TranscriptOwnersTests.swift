import XCTest
@testable import MediabaseModel
@testable import MediabaseLegacy

/// The transcript → gene map (``TranscriptOwners`` over an ``OwnerTable``): the first gene
/// registered for a key is its owner, in memory or after a spill, and the table stays within the
/// bytes per transcript the memory budget counts on.
final class TranscriptOwnersTests: XCTestCase {
    /// SplitMix64: the same keys on every run.
    private struct Keys {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testTheFirstGeneRegisteredOwnsARepeatedKey() throws {
        let owners = TranscriptOwners(pendingCapacity: 1000)
        XCTAssertNil(try owners.owner(of: 42, registering: 7))
        XCTAssertEqual(try owners.owner(of: 42, registering: 8), 7)
        XCTAssertEqual(try owners.owner(of: 42, registering: 9), 7)
        XCTAssertNil(try owners.owner(of: 0, registering: 3), "key 0 is a key like any other")
        XCTAssertEqual(try owners.owner(of: 0, registering: 4), 3)
        XCTAssertNil(try owners.owner(of: UInt64.max, registering: 0))
        XCTAssertEqual(try owners.owner(of: UInt64.max, registering: 1), 0)
        XCTAssertEqual(owners.count, 3)
        XCTAssertEqual(owners.spilledCount, 0)
    }

    func testTheMapSpillsEachTimeItReachesItsCapacity() throws {
        let owners = TranscriptOwners(pendingCapacity: 100)
        var keys = Keys(state: 1)
        let registered = (0..<250).map { _ in keys.next() }
        for (gene, key) in registered.enumerated() { XCTAssertNil(try owners.owner(of: key, registering: UInt32(gene))) }
        XCTAssertEqual(owners.count, 250)
        XCTAssertEqual(owners.spilledCount, 200, "two full batches of 100 went to the file; 50 wait in memory")
        for (gene, key) in registered.enumerated() { XCTAssertEqual(try owners.owner(of: key, registering: 999_999), UInt32(gene)) }
        XCTAssertEqual(owners.count, 250, "no repeated key is registered again")
    }

    /// Random keys drawn from a pool (so that many repeat), with key 0 and keys that share their
    /// top 16 bits (one segment of the table takes them all): every answer as a `Dictionary`
    /// that keeps the first gene gives it, whether the map spills often, once or never.
    func testAnswersAreThoseOfADictionary() throws {
        var keys = Keys(state: 7)
        var pool: [UInt64] = [0, UInt64.max, 1 << 63]
        pool += (0..<3000).map { _ in keys.next() }
        let top: UInt64 = 0xABCD << 48
        pool += (0..<3000).map { _ in top | (keys.next() >> 16) }
        pool += (1...500).map { top | UInt64($0) }
        for capacity in [37, 1000, 5000, 100_000] {
            let owners = TranscriptOwners(pendingCapacity: capacity)
            var expected: [UInt64: UInt32] = [:]
            for step in 0..<20_000 {
                let key = pool[Int(keys.next() % UInt64(pool.count))]
                let gene = UInt32(step)
                let answer = try owners.owner(of: key, registering: gene)
                XCTAssertEqual(answer, expected[key], "capacity \(capacity), step \(step), key \(key)")
                if expected[key] == nil { expected[key] = gene }
            }
            XCTAssertEqual(owners.count, expected.count, "capacity \(capacity)")
            XCTAssertEqual(owners.spilledCount == 0, expected.count < capacity, "capacity \(capacity): spills only beyond it")
        }
    }

    /// The entries come out in the order of their keys as `Int64`, the order of the spill file's
    /// sorted runs.
    func testEntriesComeOutInSignedKeyOrder() throws {
        var table = OwnerTable(capacity: 20_000)
        var keys = Keys(state: 3)
        var expected: [(Int64, UInt32)] = [(0, 5)]
        XCTAssertTrue(table.insert(0, 5))
        for value in 0..<15_000 as Range<UInt32> {
            let key = keys.next()
            XCTAssertTrue(table.insert(key, value))
            expected.append((Int64(bitPattern: key), value))
        }
        var seen: [(Int64, UInt32)] = []
        try table.forEachSorted { seen.append((Int64(bitPattern: $0), $1)) }
        expected.sort { $0.0 < $1.0 }
        XCTAssertEqual(seen.map(\.0), expected.map(\.0))
        XCTAssertEqual(seen.map(\.1), expected.map(\.1))
        table.removeAll()
        XCTAssertEqual(table.count, 0)
        XCTAssertNil(table.value(for: 0))
        XCTAssertNil(table.value(for: UInt64(bitPattern: expected[1].0)))
    }

    /// Keys start their probes all over a segment, whatever its slot count, and a probe stays
    /// short at the highest load: a table whose keys crowd together is correct but slow.
    func testProbesStartAllOverTheSegment() throws {
        var keys = Keys(state: 13)
        for slots in [16, 1000, 4096, 10_070] {
            let starts = (0..<slots).map { _ in OwnerTable.start(keys.next(), slots: slots) }
            XCTAssertTrue(starts.allSatisfy { (0..<slots).contains($0) }, "\(slots) slots")
            // Random starts cover about 1 - 1/e of the slots.
            XCTAssertGreaterThan(Set(starts).count, slots / 2, "\(slots) slots")
        }
        for (low, high) in [(1 as UInt64, 2 as UInt64), (0xABCD << 48 | 1, 0xABCD << 48 | 2)] {
            XCTAssertNotEqual(OwnerTable.start(low, slots: 1 << 20), OwnerTable.start(high, slots: 1 << 20), "neighbouring keys part")
        }
    }

    /// Filled to its capacity with random keys (as hashes of transcript ids are), the table takes
    /// every key and holds at most `MemoryBudget.bytesPerTranscript` bytes of slots per entry.
    func testTheStorageStaysWithinTheBudgetsBytesPerTranscript() throws {
        XCTAssertEqual(Int64(OwnerTable.bytesPerEntry), MemoryBudget.bytesPerTranscript)
        var keys = Keys(state: 11)
        for capacity in [4096, 7352, 50_000, 300_000, 1_100_000] {
            var table = OwnerTable(capacity: capacity)
            var peak = 0
            var refused = 0
            for value in 0..<capacity {
                if !table.insert(keys.next(), UInt32(value)) { refused += 1 }
                if value % 4096 == 0 { peak = max(peak, table.storageBytes) }
            }
            peak = max(peak, table.storageBytes)
            XCTAssertEqual(refused, 0, "capacity \(capacity)")
            XCTAssertEqual(table.count, capacity)
            XCTAssertLessThanOrEqual(peak, capacity * OwnerTable.bytesPerEntry, "capacity \(capacity)")
            XCTAssertLessThan(peak, capacity * 48 / 2, "capacity \(capacity): well under a Dictionary's 48")
        }
    }
}
