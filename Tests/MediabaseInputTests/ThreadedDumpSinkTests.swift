import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes
@testable import MediabaseModel
@testable import MediabaseInput

final class ThreadedDumpSinkTests: XCTestCase {
    func testReplaysExactlyWhatTheReaderProduced() throws {
        let path = Fixtures.path("generated/seed1-genes12/mbase.sql")
        let direct = CollectingSink()
        try DumpReader.open(path: path).read(into: direct)
        let collected = CollectingSink()
        let threaded = ThreadedDumpSink(next: collected)
        try DumpReader.open(path: path).read(into: threaded)
        try threaded.close()
        XCTAssertEqual(collected.tables.map(\.schema), direct.tables.map(\.schema))
        XCTAssertEqual(collected.tables.map(\.rows), direct.tables.map(\.rows))
        XCTAssertEqual(collected.tables.map(\.lines), direct.tables.map(\.lines))
        XCTAssertEqual(collected.tables.map(\.reportedRows), direct.tables.map(\.reportedRows))
        XCTAssertGreaterThan(collected.tables.first?.rows.count ?? 0, 10)
        // The keys the plain dump declares after the data, passed on after it too.
        XCTAssertEqual(collected.keysDeclaredAfterData.map(\.table), direct.keysDeclaredAfterData.map(\.table))
        XCTAssertEqual(collected.keysDeclaredAfterData.map(\.key), direct.keysDeclaredAfterData.map(\.key))
        XCTAssertEqual(direct.keysDeclaredAfterData.map(\.table), ["public.cancer_transcript_base", "public.opentargets_known_drugs"])
    }

    func testAFailingSinkStopsTheReadWithItsError() throws {
        final class Failing: DumpSink {
            func beginTable(_ table: TableSchema) throws {}
            func row(_ row: RowBuffer) throws { throw MediabaseError.usage("sink failed") }
            func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {}
        }
        let threaded = ThreadedDumpSink(next: Failing())
        try? DumpReader.open(path: Fixtures.path("generated/seed1-genes12/mbase.sql")).read(into: threaded)
        XCTAssertThrowsError(try threaded.close()) { error in
            XCTAssertEqual(error as? MediabaseError, .usage("sink failed"))
        }
    }
}
