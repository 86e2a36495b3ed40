import Foundation
import XCTest
import MediabaseTestSupport
@testable import MediabaseBytes

final class ExternalSorterTests: ScratchFolderTestCase {

    /// Random records of 0 to 40 bytes from a small alphabet with zeros, so that many share
    /// prefixes, are prefixes of each other, or repeat.
    private func records(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        return (0..<count).map { _ in
            let length = Int(next() % 41)
            return (0..<length).map { _ in [0, 1, 0x41, 0x42, 0xFF][Int(next() % 5)] }
        }
    }

    private func sorted(_ input: [[UInt8]], memoryBytes: Int, fanIn: Int = ExternalSorter.maximumFanIn) throws -> (records: [[UInt8]], runs: Int) {
        let sorter = ExternalSorter(scratchBeside: path("core.sqlite"), memoryBytes: memoryBytes, fanIn: fanIn)
        for record in input { try sorter.append(record.span) }
        XCTAssertEqual(sorter.count, input.count)
        let runs = sorter.spilledRuns
        var output: [[UInt8]] = []
        try sorter.forEachSorted { output.append(Array($0)) }
        return (output, max(runs, sorter.spilledRuns))
    }

    func testSortsInMemoryAsBytesCompare() throws {
        let input = records(5_000, seed: 1)
        let (output, runs) = try sorted(input, memoryBytes: 8 << 20)
        XCTAssertEqual(runs, 0, "the records fit the budget")
        XCTAssertEqual(output, input.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// Beyond the budget the records go to runs on disk, merged as they are read: the same
    /// order, in one merge or, with more runs than are merged at once, in several.
    func testRunsOnDiskGiveTheSameOrder() throws {
        let input = records(60_000, seed: 2)
        let expected = input.sorted { $0.lexicographicallyPrecedes($1) }
        let oneMerge = try sorted(input, memoryBytes: 256 << 10)
        XCTAssertGreaterThan(oneMerge.runs, 4)
        XCTAssertLessThanOrEqual(oneMerge.runs, ExternalSorter.maximumFanIn)
        XCTAssertEqual(oneMerge.records, expected)
        let severalMerges = try sorted(input, memoryBytes: 64 << 10, fanIn: 3)
        XCTAssertGreaterThan(severalMerges.runs, 9, "runs merged in more than two rounds")
        XCTAssertEqual(severalMerges.records, expected)
        // The runs' file was unlinked when it was made: nothing is left beside the core.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }

    /// Records that share their first 5 to 20 bytes (as cross-references share their database
    /// field) are told apart past the words the entries keep, around and beyond their 8th and
    /// 16th bytes, in memory and through runs.
    func testRecordsSharingTheirFirstBytesSortAsBytesCompare() throws {
        let shared: [UInt8] = [1, 0x55, 0x6E, 0x69, 0x50, 0x72, 0x6F, 0x74, 0, 0, 1, 0x4F, 0x35, 0x34, 0x34, 0x56, 0x36, 0, 0, 0]
        let input = records(20_000, seed: 4).enumerated().map { index, tail in Array(shared.prefix(5 + index % 16)) + tail }
        let expected = input.sorted { $0.lexicographicallyPrecedes($1) }
        XCTAssertEqual(try sorted(input, memoryBytes: 8 << 20).records, expected)
        let spilled = try sorted(input, memoryBytes: 128 << 10)
        XCTAssertGreaterThan(spilled.runs, 2)
        XCTAssertEqual(spilled.records, expected)
    }

    func testARecordLargerThanTheBudgetIsSortedWithTheOthers() throws {
        var input = records(3_000, seed: 3)
        input.append([UInt8](repeating: 0x42, count: 200_000))
        input.append([UInt8](repeating: 0x41, count: 100_000) + [0])
        let (output, runs) = try sorted(input, memoryBytes: ExternalSorter.minimumMemoryBytes)
        XCTAssertGreaterThan(runs, 0)
        XCTAssertEqual(output, input.sorted { $0.lexicographicallyPrecedes($1) })
    }

    func testNoRecords() throws {
        XCTAssertEqual(try sorted([], memoryBytes: 0).records, [])
    }

    /// Fields written one after the other compare as their tuples: field by field, NULL first,
    /// then bytes in order and the shorter first, zeros inside values included; and read back.
    func testOrderedFieldsCompareAsTheirValues() throws {
        let values: [[UInt8]?] = [nil, [], [0], [0, 0], [0, 1], [1], [0x41], [0x41, 0], [0x41, 0, 0x42], [0x41, 0x42], [0xFF], [0xFF, 0]]
        var tuples: [([UInt8]?, [UInt8]?)] = []
        for first in values { for second in values { tuples.append((first, second)) } }
        func precedes(_ left: [UInt8]?, _ right: [UInt8]?) -> Int {
            switch (left, right) {
            case (nil, nil): 0
            case (nil, _): -1
            case (_, nil): 1
            case let (l?, r?): l == r ? 0 : (l.lexicographicallyPrecedes(r) ? -1 : 1)
            }
        }
        func copy(_ value: Span<UInt8>?) -> [UInt8]? {
            guard let value else { return nil }
            return Array(value)
        }
        func encoded(_ tuple: ([UInt8]?, [UInt8]?)) -> [UInt8] {
            var record: [UInt8] = []
            ExternalSorter.appendOrderedField(tuple.0?.span, to: &record)
            ExternalSorter.appendOrderedField(tuple.1?.span, to: &record)
            return record
        }
        for left in tuples {
            let record = encoded(left)
            var position = 0
            XCTAssertEqual(ExternalSorter.withOrderedField(record.span, at: &position) { copy($0) }, left.0)
            XCTAssertEqual(ExternalSorter.withOrderedField(record.span, at: &position) { copy($0) }, left.1)
            XCTAssertEqual(position, record.count)
            for right in tuples {
                let order = precedes(left.0, right.0) != 0 ? precedes(left.0, right.0) : precedes(left.1, right.1)
                let bytes = encoded(right)
                let byteOrder = record == bytes ? 0 : (record.lexicographicallyPrecedes(bytes) ? -1 : 1)
                XCTAssertEqual(byteOrder, order, "\(left) vs \(right)")
            }
        }
    }
}
