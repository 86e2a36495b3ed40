import Foundation
import XCTest
@testable import MediabaseModel
@testable import MediabaseLegacy

final class GOTermCacheTests: XCTestCase {
    private func terms(_ id: Int) -> RowTails {
        RowTails([[.text("GO:\(id)"), .text("a term long enough for the heap"), .text("biological_process"), .text("IDA")]])
    }

    func testTheCacheStaysWithinItsBudgetAndStartsOverWhenFull() throws {
        let size = GOTermCache.estimatedBytes(terms(0))
        var cache = GOTermCache(budgetBytes: 3 * size)
        for id in 0..<3 { cache.insert(terms(id), for: ContentHash("\(id)")) }
        XCTAssertEqual(cache.bytes, 3 * size)
        XCTAssertNotNil(cache.terms(for: ContentHash("0")))
        // The fourth value does not fit: the cache starts over with it alone.
        cache.insert(terms(3), for: ContentHash("3"))
        XCTAssertEqual(cache.bytes, size)
        XCTAssertNil(cache.terms(for: ContentHash("0")))
        XCTAssertEqual(cache.terms(for: ContentHash("3"))?.rows, terms(3).rows)
    }

    /// Half of what the gene states leave unused may be borrowed at an insert; once they grow
    /// into it, the cache no longer fits beside them and the normalizer starts it over.
    func testTheCacheBorrowsHalfOfWhatTheGeneStatesLeave() throws {
        let size = GOTermCache.estimatedBytes(terms(0))
        var cache = GOTermCache(budgetBytes: 2 * size)
        for id in 0..<4 { cache.insert(terms(id), for: ContentHash("\(id)"), unused: 4 * size) }
        XCTAssertEqual(cache.bytes, 4 * size)
        XCTAssertNotNil(cache.terms(for: ContentHash("0")))
        XCTAssertTrue(cache.fits(beside: 2 * size))
        XCTAssertFalse(cache.fits(beside: 2 * size - 1))
        // Past its budget and half of 4 sizes: it starts over with the fifth value.
        cache.insert(terms(4), for: ContentHash("4"), unused: 4 * size)
        XCTAssertEqual(cache.bytes, size)
        XCTAssertNil(cache.terms(for: ContentHash("0")))
    }

    func testAValueLargerThanTheBudgetIsNotKept() throws {
        var cache = GOTermCache(budgetBytes: 10)
        cache.insert(terms(0), for: ContentHash("0"))
        XCTAssertNil(cache.terms(for: ContentHash("0")))
        XCTAssertEqual(cache.bytes, 0)
    }

    /// Compacted terms (as the normalizer caches them) are counted by their encoding, well below
    /// the values' estimate.
    func testCompactTermsAreCountedByTheirEncoding() throws {
        let terms = terms(0)
        let full = GOTermCache.estimatedBytes(terms)
        terms.compact()
        let compact = GOTermCache.estimatedBytes(terms)
        XCTAssertGreaterThan(compact, terms.encode().count)
        XCTAssertLessThan(compact, full / 2)
    }

    func testTheEstimateCountsEveryRowAndString() throws {
        let one = GOTermCache.estimatedBytes(terms(0))
        let two = GOTermCache.estimatedBytes(RowTails(terms(0).rows + terms(1).rows))
        XCTAssertGreaterThan(two, one)
        XCTAssertGreaterThan(one, 3 * "a term long enough for the heap".utf8.count)
    }

    /// A value with `rows` GO terms (each about 60 bytes encoded).
    private func largeTerms(_ id: Int, rows: Int) -> RowTails {
        RowTails((0..<rows).map { [.text("GO:\(id)_\($0)"), .text("a term long enough for the heap \($0)"), .text("biological_process"), .text("IDA")] })
    }

    /// Large values read back from the store give the rows they were kept with, also once they
    /// left its write buffer; small values, values not compacted and values past its limits
    /// are not kept, and nothing is kept twice.
    func testTheStoreGivesBackTheRowsOfLargeValues() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("go-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = GOTermStore(scratchPath: folder.appendingPathComponent("core.sqlite").path, bufferBytes: 8192)
        var kept: [(ContentHash, RowTails)] = []
        for id in 0..<20 {
            let value = largeTerms(id, rows: 60 + id)
            let expected = value.rows
            value.compact()
            XCTAssertGreaterThanOrEqual(value.encoded?.count ?? 0, GOTermStore.minimumBytes)
            try store.keep(value, for: ContentHash("large \(id)"))
            kept.append((ContentHash("large \(id)"), RowTails(expected)))
        }
        XCTAssertEqual(store.count, 20)
        // Read back in another order than written: from the file and from its buffer.
        for (hash, value) in kept.reversed() {
            let back = try XCTUnwrap(try store.terms(for: hash))
            XCTAssertTrue(back.isCompact)
            XCTAssertEqual(back.count, value.count)
            XCTAssertEqual(back.rows, value.rows)
            XCTAssertEqual(back.encoded, value.encode())
        }

        let small = terms(1)
        small.compact()
        try store.keep(small, for: ContentHash("small"))
        let loose = largeTerms(99, rows: 100)
        try store.keep(loose, for: ContentHash("not compacted"))
        let again = largeTerms(0, rows: 60)
        again.compact()
        try store.keep(again, for: kept[0].0)
        XCTAssertNil(try store.terms(for: ContentHash("small")))
        XCTAssertNil(try store.terms(for: ContentHash("not compacted")))
        XCTAssertNil(try store.terms(for: ContentHash("never kept")))
        XCTAssertEqual(store.count, 20)
        // Only the scratch file beside the output, unlinked once made.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }
}
