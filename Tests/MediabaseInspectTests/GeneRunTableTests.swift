import XCTest
@testable import MediabaseModel
@testable import MediabaseInspect

/// The genes' runs table keeps each gene's last run of every segment side by side: what is set
/// is what is read back, per gene and segment, through growth, and a full table says so.
final class GeneRunTableTests: XCTestCase {
    private func run(_ count: Int, _ seed: UInt64, facts: Int = -1) -> GeneRunTable.Run {
        GeneRunTable.Run(count: count, hash: ContentHash(low: seed &* 0x9E37_79B9_7F4A_7C15, high: ~seed), facts: facts)
    }

    func testRunsReadBackPerGeneAndSegmentThroughGrowth() {
        var table = GeneRunTable(segments: 3, slots: 4)
        // Genes whose low bits collide (probing), a gene hashing to 0 and negative hashes.
        let genes = (0..<500).map { $0 * 1024 } + [-1, -7, Int.min, Int.max]
        var expected: [Int: [Int: GeneRunTable.Run]] = [:]
        for (number, gene) in genes.enumerated() {
            let segment = number % 3
            let kept = run(number + 1, UInt64(number), facts: number % 5 == 0 ? number : -1)
            table.set(kept, gene: gene, segment: segment)
            expected[gene, default: [:]][segment] = kept
            if number % 7 == 0 {
                // A second segment of the same gene, then a newer run of the first.
                table.set(run(2 * number + 3, UInt64(number) + 99), gene: gene, segment: (segment + 1) % 3)
                expected[gene]![(segment + 1) % 3] = run(2 * number + 3, UInt64(number) + 99)
                table.set(run(number + 11, UInt64(number) + 7), gene: gene, segment: segment)
                expected[gene]![segment] = run(number + 11, UInt64(number) + 7)
            }
        }
        XCTAssertEqual(table.count, genes.count)
        for gene in genes {
            guard let entry = table.entry(of: gene) else { return XCTFail("gene \(gene) lost") }
            for segment in 0..<3 {
                let found = table.run(at: entry, segment: segment)
                let wanted = expected[gene]?[segment]
                XCTAssertEqual(found?.count, wanted?.count, "gene \(gene) segment \(segment)")
                XCTAssertEqual(found?.hash, wanted?.hash, "gene \(gene) segment \(segment)")
                XCTAssertEqual(found?.facts, wanted?.facts, "gene \(gene) segment \(segment)")
            }
        }
        XCTAssertNil(table.entry(of: 3))
        table.removeAll()
        XCTAssertEqual(table.count, 0)
        XCTAssertNil(table.entry(of: 1024))
    }

    func testAFullTableSaysSoAndARunTooLongIsNotKept() {
        var table = GeneRunTable(segments: 1, slots: 4)
        // Three quarters of 8 slots, the most allowed here.
        for gene in 1...6 {
            XCTAssertFalse(table.isFull(adding: gene, maximumSlots: 8))
            table.set(run(10, UInt64(gene)), gene: gene, segment: 0)
        }
        XCTAssertTrue(table.isFull(adding: 7, maximumSlots: 8))
        // A gene already kept still fits.
        XCTAssertFalse(table.isFull(adding: 3, maximumSlots: 8))
        table.set(run(1 << 32, 5), gene: 9, segment: 0)
        XCTAssertNil(table.entry(of: 9))
    }
}
