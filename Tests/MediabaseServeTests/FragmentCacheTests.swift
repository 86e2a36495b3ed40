@testable import MediabaseServe
import XCTest

final class FragmentCacheTests: XCTestCase {
    func testRendersOnceAndServesTheKeptValue() throws {
        let cache = FragmentCache<[UInt8]>(budget: 1000, cost: \.count)
        var renders = 0
        for _ in 0..<3 {
            let value = cache.fragment("a") { renders += 1; return [1, 2, 3] }
            XCTAssertEqual(value, [1, 2, 3])
        }
        XCTAssertEqual(renders, 1)
    }

    func testStaysWithinItsBudgetAndKeepsWhatIsAskedFor() throws {
        // Budget 100: each generation holds up to 50 bytes, i.e. five values of 10.
        let cache = FragmentCache<[UInt8]>(budget: 100, cost: \.count)
        var renders: [String: Int] = [:]
        func ask(_ key: String) {
            _ = cache.fragment(key) {
                renders[key, default: 0] += 1
                return [UInt8](repeating: 0, count: 10)
            }
        }
        for index in 0..<5 { ask("k\(index)") }
        // k0 is asked again while new keys fill the next generation: it moves along.
        for index in 5..<9 {
            ask("k\(index)")
            ask("k0")
        }
        XCTAssertEqual(renders["k0"], 1, "a value asked for again is kept")
        // Twenty more keys: the early ones not asked for again are dropped and rendered anew.
        for index in 9..<29 { ask("k\(index)") }
        ask("k1")
        XCTAssertEqual(renders["k1"], 2, "an old value no one asked for again is dropped")
    }

    func testAValueOverHalfTheBudgetIsNotKept() throws {
        let cache = FragmentCache<[UInt8]>(budget: 10, cost: \.count)
        var renders = 0
        for _ in 0..<2 { _ = cache.fragment("big") { renders += 1; return [UInt8](repeating: 7, count: 6) } }
        XCTAssertEqual(renders, 2)
    }

    func testRemembersAbsentValues() throws {
        let cache = FragmentCache<[UInt8]?>(budget: 1000, cost: { $0?.count ?? 64 })
        var renders = 0
        for _ in 0..<2 { XCTAssertNil(cache.fragment("missing") { renders += 1; return nil }) }
        XCTAssertEqual(renders, 1)
    }
}
