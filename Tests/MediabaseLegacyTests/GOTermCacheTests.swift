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
}
