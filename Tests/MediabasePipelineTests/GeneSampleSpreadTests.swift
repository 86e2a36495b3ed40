import Foundation
import XCTest
@testable import MediabasePipeline

/// `--sample-genes` spreads its sample over the ids: consecutive Ensembl-like ids are kept or
/// left independently, so a 10 % sample leaves blocks of neighbouring ids empty only as often
/// as independent draws would. The bounds are computed here from the hypergeometric law of a
/// sample of k ids out of N without replacement.
final class GeneSampleSpreadTests: XCTestCase {
    private static let total = 100_000
    private static let sampled = 10_000

    /// The positions (0-based) among `ENSG00000000001` … `ENSG00000100000` of the sampled ids.
    private func sample(seed: UInt64) -> [Int] {
        var keys: [String: UInt64] = [:]
        var position: [String: Int] = [:]
        for number in 1...Self.total {
            let id = "ENSG" + String(repeating: "0", count: 11 - String(number).count) + String(number)
            keys[id] = GeneSubsetPlanner.sampleKey(seed: seed, geneId: id)
            position[id] = number - 1
        }
        return GeneSubsetPlanner.smallestKeys(keys, count: Self.sampled).map { position[$0]! }
    }

    /// P(a given block of `size` ids holds none of the sample) = C(N-size, k) / C(N, k).
    private func probabilityEmpty(blockSize size: Int) -> Double {
        (0..<size).reduce(1.0) { product, i in product * Double(Self.total - Self.sampled - i) / Double(Self.total - i) }
    }

    func testTenPercentOfConsecutiveIdsLeavesAlmostNoBlockEmpty() {
        for seed: UInt64 in [0, 7] {
            let positions = sample(seed: seed)
            XCTAssertEqual(positions.count, Self.sampled)
            for size in [64, 1000] {
                let blocks = Self.total / size
                var counts = [Int](repeating: 0, count: blocks + 1)
                for position in positions { counts[position / size] += 1 }
                counts.removeLast(counts.count - blocks)
                let expectedEmpty = Double(blocks) * probabilityEmpty(blockSize: size)
                let empty = counts.filter { $0 == 0 }.count
                // Empty blocks are close to Poisson: six standard deviations and a little slack.
                XCTAssertLessThanOrEqual(Double(empty), expectedEmpty + 6 * expectedEmpty.squareRoot() + 2,
                                         "seed \(seed), blocks of \(size): \(empty) of \(blocks) empty, about \(expectedEmpty) expected")
                // Pearson's statistic over the blocks: about (blocks - 1) · (1 - k/N) under
                // independent draws (the finite-population factor), its standard deviation
                // about √(2 · (blocks - 1)); a sample made of runs lands far above.
                let mean = Double(size) * Double(Self.sampled) / Double(Self.total)
                let statistic = counts.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) / mean }
                let degrees = Double(blocks - 1)
                XCTAssertLessThan(statistic, degrees + 6 * (2 * degrees).squareRoot(),
                                  "seed \(seed), blocks of \(size): chi-square \(statistic) with \(blocks - 1) degrees of freedom")
                XCTAssertGreaterThan(statistic, degrees * 0.9 - 6 * (2 * degrees).squareRoot(), "too even to be a random sample")
            }
        }
    }

    /// The key is what the README documents, so another tool can reproduce a sample:
    /// `printf '7:ENSG00000141510' | sha256sum` begins c268fa94603e9767.
    func testSampleKeyIsTheFirstEightBytesOfSHA256() {
        XCTAssertEqual(GeneSubsetPlanner.sampleKey(seed: 7, geneId: "ENSG00000141510"), 0xC268_FA94_603E_9767)
    }
}
