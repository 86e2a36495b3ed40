import Foundation
import MediabaseTestSupport
import XCTest
import MediabaseBytes
import MediabaseInput

/// Damages real `pg_dump` output in the ways files really get damaged (cut short, a flipped
/// byte, an edited line) and checks that the readers refuse it with an error that names the
/// file and where in it the problem is, instead of returning partial or wrong data.
final class MalformedDumpTests: XCTestCase {
    /// One cluster and one set of dumps for the class; a failed setup is kept so every test
    /// reports it.
    private static var shared: Result<HostileDumps, Error>?
    private var dumps: HostileDumps!

    override func setUpWithError() throws {
        if Self.shared == nil { Self.shared = Result { try HostileDumps(forms: [.plain, .plainGzip, .custom]) } }
        dumps = try Self.shared!.get()
    }

    override class func tearDown() {
        (try? shared?.get())?.cluster.stop()
        shared = nil
        super.tearDown()
    }

    /// A COPY block cut at a row boundary: every remaining row is well-formed, so only the
    /// missing `\.` shows that data was lost.
    func testPlainDumpCutInsideCopyBlock() throws {
        let plain = try contents(of: .plain)
        var cut = try XCTUnwrap(plain.firstRange(of: Array("COPY public.hostile (".utf8))).lowerBound
        for _ in 0..<4 {  // the COPY line and three rows
            cut = try XCTUnwrap(plain[cut...].firstIndex(of: 0x0A)) + 1
        }
        try assertRejected(write(Array(plain[..<cut]), named: "cut-in-copy.sql"))
    }

    func testCopyRowWithOneFieldTooMany() throws {
        var plain = try contents(of: .plain)
        let rowStart = try XCTUnwrap(plain.firstRange(of: Array("COPY other.t2 (k, v) FROM stdin;\n".utf8))).upperBound
        let rowEnd = try XCTUnwrap(plain[rowStart...].firstIndex(of: 0x0A))
        XCTAssertEqual(String(decoding: plain[rowStart..<rowEnd], as: UTF8.self), "x\t1")
        let rowLine = plain[..<rowStart].filter { $0 == 0x0A }.count + 1
        plain.insert(contentsOf: Array("\textra".utf8), at: rowEnd)
        try assertRejected(write(plain, named: "extra-field.sql"), atLine: rowLine)
    }

    func testCustomDumpCutInsideDataBlock() throws {
        let archive = try contents(of: .custom)
        let chunk = try firstDataChunk(of: "public hostile", in: archive)
        try assertRejected(write(Array(archive[..<(chunk.lowerBound + chunk.count / 2)]), named: "cut-in-block.dump"))
    }

    func testCustomDumpWithFlippedByteInCompressedBlock() throws {
        var archive = try contents(of: .custom)
        let chunk = try firstDataChunk(of: "public hostile", in: archive)
        archive[chunk.lowerBound + chunk.count / 2] ^= 0xFF
        try assertRejected(write(archive, named: "flipped-byte.dump"))
    }

    func testGzipPlainDumpCut() throws {
        let compressed = try contents(of: .plainGzip)
        try assertRejected(write(Array(compressed.prefix(compressed.count / 2)), named: "cut.sql.gz"))
    }

    func testEmptyFile() throws {
        try assertRejected(write([], named: "empty.sql"))
    }

    func testRandomBytes() throws {
        // A fixed linear congruential sequence (Knuth's MMIX constants): the same bytes every run.
        var state: UInt64 = 1
        let noise = (0..<4096).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        try assertRejected(write(noise, named: "random.bin"))
    }

    // MARK: - Helpers

    /// Asserts that reading `path` fails with a `MediabaseError` whose message names the file
    /// and a position in it, a line or a byte offset; the line must be `expectedLine` when given.
    private func assertRejected(_ path: String, atLine expectedLine: Int? = nil, file: StaticString = #filePath, line: UInt = #line) {
        do {
            try DumpReader.open(path: path).read(into: CollectingSink())
            XCTFail("\(path) was read without an error", file: file, line: line)
        } catch let error as MediabaseError {
            let message = error.errorDescription ?? ""
            let location: SourceLocation
            switch error {
            case let .malformedInput(place, _), let .unsupportedInput(place, _):
                location = place
            default:
                XCTFail("expected an error located in the input, got: \(message)", file: file, line: line)
                return
            }
            XCTAssertEqual(location.file, path, message, file: file, line: line)
            XCTAssertTrue(message.contains(path), "the message does not name the file: \(message)", file: file, line: line)
            XCTAssertTrue(location.line != nil || location.byteOffset != nil, "no line or byte offset: \(message)", file: file, line: line)
            if let expectedLine {
                XCTAssertEqual(location.line, expectedLine, message, file: file, line: line)
            }
        } catch {
            XCTFail("expected a MediabaseError, got \(type(of: error)): \(error)", file: file, line: line)
        }
    }

    /// The byte range of the first data chunk of `table` (`schema name`) in a custom archive.
    ///
    /// A data block (pg_backup_custom.c; notes/formats.md A2) is the byte BLK_DATA = 1, the
    /// entry's dump id as an Int (a sign byte, then intSize = 4 little-endian bytes), then
    /// chunks, each an Int length and that many bytes. The dump id comes from `pg_restore -l`.
    /// In the TOC an Int dump id always follows a 0 byte (the high byte of the previous entry's
    /// data offset, or of the entry count), so the first `01 00 <id>` starts the data block.
    private func firstDataChunk(of table: String, in archive: [UInt8]) throws -> Range<Int> {
        XCTAssertEqual(archive[8], 4, "intSize in the archive header")
        let listing = try dumps.cluster.pgRestore(arguments: ["-l", dumps.path(for: .custom)])
        let entry = try XCTUnwrap(listing.split(separator: "\n").first { $0.contains(" TABLE DATA \(table) ") }, listing)
        let dumpID = try XCTUnwrap(UInt32(entry.prefix { $0.isNumber }), String(entry))
        let header: [UInt8] = [1, 0] + withUnsafeBytes(of: dumpID.littleEndian) { Array($0) }
        let block = try XCTUnwrap(archive.firstRange(of: header), "no data block for dump id \(dumpID)")
        let length = archive[block.upperBound + 1..<block.upperBound + 5].reversed().reduce(0) { $0 << 8 | Int($1) }
        let start = block.upperBound + 5
        XCTAssertEqual(archive[block.upperBound], 0, "sign of the chunk length")
        XCTAssertTrue(length > 0 && start + length <= archive.count, "chunk length \(length)")
        return start..<start + length
    }

    private func contents(of form: DumpForm) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: dumps.path(for: form))))
    }

    /// Writes `bytes` to a file in the cluster's work folder and returns its path.
    private func write(_ bytes: [UInt8], named name: String) throws -> String {
        let path = dumps.cluster.workDirectory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
