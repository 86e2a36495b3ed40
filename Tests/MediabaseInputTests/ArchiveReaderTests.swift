import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes
@testable import MediabaseInput

/// The custom and directory archive readers, on archives written by pg_dump 15
/// (`fixtures/archives/make.sh`) and on synthetic archives of versions 1.10 to 1.16.
final class ArchiveReaderTests: XCTestCase {
    private static let fixtures = Repository.path("fixtures/archives")

    private func fixture(_ name: String) -> String { "\(Self.fixtures)/\(name)" }

    private func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixture(name))))
    }

    private func readCustom(_ bytes: [UInt8], file: String = "test.dump") throws -> (CustomArchiveReader, CollectingSink) {
        let reader = try CustomArchiveReader(stream: MemoryByteStream(bytes), file: file, size: Int64(bytes.count))
        let sink = CollectingSink()
        try reader.read(into: sink)
        return (reader, sink)
    }

    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "archive-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Asserts that `body` throws a ``MediabaseError`` and returns it.
    @discardableResult
    private func assertMediabaseError(
        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) -> MediabaseError? {
        do {
            try body()
            XCTFail("expected an error. \(message())", file: file, line: line)
        } catch let error as MediabaseError {
            return error
        } catch {
            XCTFail("expected a MediabaseError, got \(error). \(message())", file: file, line: line)
        }
        return nil
    }

    // MARK: - Rows of the pg_dump 15 fixtures

    private static let genes: [[String?]] = [
        ["1", "TP53", #"{"end": 7687538, "start": 7661779, "strand": -1}"#, #"{P53,"cellular tumor antigen p53"}"#, "1.5"],
        ["2", "BRCA1", #"{"note": "line\nnext", "quote": "a\"b"}"#, "{}", nil],
        ["3", "tab\there", nil, #"{NULL,"back\\slash","x,y"}"#, "-0.25"],
        ["4", "multi\nline \\N", #"[1, 2, {"k": null}]"#, nil, "0"],
        ["5", "ünïcødé ✓", #""just a string""#, #"{"{braces}"}"#, "10000000000"],
    ]

    private func assertFixtureRows(_ sink: CollectingSink, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(sink.tables.map(\.schema.qualifiedName), ["other.empty", "public.bulk", "public.genes"], file: file, line: line)
        guard let genes = sink.table("public.genes"), let bulk = sink.table("public.bulk"), let empty = sink.table("other.empty") else { return }
        XCTAssertEqual(genes.schema.columns.map(\.name), ["id", "symbol", "info", "aliases", "score"], file: file, line: line)
        XCTAssertEqual(genes.schema.columns.map(\.type), ["integer", "text", "jsonb", "text[]", "double precision"], file: file, line: line)
        XCTAssertEqual(genes.schema.primaryKey, ["id"], file: file, line: line)
        XCTAssertEqual(genes.rows, Self.genes, file: file, line: line)
        XCTAssertEqual(genes.reportedRows, 5, file: file, line: line)
        XCTAssertEqual(bulk.rows.count, 400, file: file, line: line)
        XCTAssertEqual(bulk.rows.first, ["1", "c4ca4238a0b923820dcc509a6f75849b"], file: file, line: line)
        XCTAssertEqual(bulk.rows.last, ["400", "18d8042386b79e2c279fd162df0205c8"], file: file, line: line)
        XCTAssertEqual(empty.rows.count, 0, file: file, line: line)
        XCTAssertEqual(empty.reportedRows, 0, file: file, line: line)
    }

    func testCustomArchivesGiveTheDumpedRows() throws {
        for name in ["custom.dump", "custom-z0.dump", "custom-piped.dump", "custom-inserts.dump"] {
            let reader = try CustomArchiveReader(path: fixture(name))
            let sink = CollectingSink()
            try reader.read(into: sink)
            assertFixtureRows(sink)
        }
    }

    func testDirectoryArchivesGiveTheDumpedRows() throws {
        for name in ["directory", "directory-z0"] {
            let reader = try DirectoryArchiveReader(path: fixture(name))
            let sink = CollectingSink()
            try reader.read(into: sink)
            assertFixtureRows(sink)
        }
    }

    // MARK: - Tar archives (pg_dump -Ft)

    func testTarArchiveGivesTheDumpedRows() throws {
        let reader = try TarArchiveReader(path: fixture("tar.tar"))
        XCTAssertEqual(reader.toc.header.formatCode, ArchiveHeader.directoryFormatCode)
        XCTAssertEqual(reader.info.archiveVersion, "1.14")
        XCTAssertEqual(reader.info.database, "fixture")
        let names = reader.toc.entries.filter { $0.isTableData }.map { "\($0.tag ?? ""):\($0.dataFile ?? "")" }
        XCTAssertEqual(Set(names), ["genes:3350.dat", "bulk:3351.dat", "empty:3352.dat"])
        let sink = CollectingSink()
        try reader.read(into: sink)
        assertFixtureRows(sink)
    }

    /// Detected from the bytes, plain or gzip-compressed (`pg_dump -Ft | gzip`), and read
    /// through ``DumpReader`` like any other input.
    func testDumpReaderDetectsAndReadsTarArchives() throws {
        let gzipped = try temporaryDirectory() + "/tar.tar.gz"
        try Data(TestArchiveWriter.storedGzip(bytes("tar.tar"))).write(to: URL(fileURLWithPath: gzipped))
        for (path, format) in [(fixture("tar.tar"), InputFormat(kind: .tar)), (gzipped, InputFormat(kind: .tar, gzip: true))] {
            let reader = try DumpReader.open(path: path)
            XCTAssertEqual(reader.format, format, path)
            XCTAssertEqual(reader.format.description, format.gzip ? "tar (gzip)" : "tar")
            let sink = CollectingSink()
            try reader.read(into: sink)
            assertFixtureRows(sink)
            XCTAssertEqual(reader.info.archiveVersion, "1.14")
        }
    }

    /// The tar holds exactly the directory archive's files: its rows are the same, table by table.
    func testTarAndDirectoryArchivesGiveTheSameRows() throws {
        let tar = CollectingSink()
        try TarArchiveReader(path: fixture("tar.tar")).read(into: tar)
        let directory = CollectingSink()
        try DirectoryArchiveReader(path: fixture("directory-z0")).read(into: directory)
        XCTAssertEqual(tar.tables.map(\.schema.qualifiedName), directory.tables.map(\.schema.qualifiedName))
        XCTAssertEqual(tar.tables.map(\.rows), directory.tables.map(\.rows))
    }

    /// The tar's member headers, by name: where each starts and its size, read independently of
    /// the reader (octal size at byte 124 of each 512-byte header).
    private func tarMembers(_ tar: [UInt8]) -> [(name: String, header: Int, size: Int)] {
        var members: [(String, Int, Int)] = []
        var at = 0
        while at + 512 <= tar.count, tar[at] != 0 {
            let name = String(decoding: tar[at..<(at + 100)].prefix { $0 != 0 }, as: UTF8.self)
            let size = Int(String(decoding: tar[(at + 124)..<(at + 135)], as: UTF8.self), radix: 8)!
            members.append((name, at, size))
            at += 512 + (size + 511) / 512 * 512
        }
        return members
    }

    /// Every cut before the end of the last data member fails with a MediabaseError that names
    /// the file: a truncated tar never reads as a shorter table.
    func testTruncatedTarArchivesAlwaysFail() throws {
        let tar = try bytes("tar.tar")
        let members = tarMembers(tar)
        XCTAssertEqual(members.map(\.name), ["toc.dat", "3352.dat", "3351.dat", "3350.dat", "blob_16404.dat", "blobs.toc", "restore.sql"])
        let genes = try XCTUnwrap(members.first { $0.name == "3350.dat" })
        let dataEnd = genes.header + 512 + genes.size
        let path = try temporaryDirectory() + "/cut.tar"
        for length in Array(stride(from: 0, to: dataEnd, by: 61)) + [512, genes.header, genes.header + 512, dataEnd - 1] {
            try Data(tar[0..<length]).write(to: URL(fileURLWithPath: path))
            let error = assertMediabaseError("cut to \(length) bytes") {
                let reader = try DumpReader.open(path: path)
                try reader.read(into: CollectingSink())
            }
            XCTAssertTrue(error?.localizedDescription.contains(path) ?? false, "\(length): \(String(describing: error))")
        }
    }

    /// Sizes of 8 GiB and more are written in base-256 (high bit of the field's first byte set);
    /// the same size so written reads the same.
    func testTarSizeInBase256() throws {
        var tar = try bytes("tar.tar")
        for member in tarMembers(tar) where member.name.hasSuffix(".dat") {
            let field = [0x80] + [UInt8](repeating: 0, count: 8) + [UInt8(member.size >> 16 & 0xFF), UInt8(member.size >> 8 & 0xFF), UInt8(member.size & 0xFF)]
            tar.replaceSubrange((member.header + 124)..<(member.header + 136), with: field)
            let sum = tar[member.header..<(member.header + 512)].enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 0x20 : Int($1.element)) }
            tar.replaceSubrange((member.header + 148)..<(member.header + 156), with: Array(String(format: "%06o", sum).utf8) + [0, 0x20])
        }
        let sink = CollectingSink()
        try TarArchiveReader(stream: MemoryByteStream(tar), file: "base256.tar", size: Int64(tar.count)).read(into: sink)
        assertFixtureRows(sink)
    }

    /// A damaged header is caught by its checksum, with the header's offset.
    func testCorruptTarHeaderNamesItsOffset() throws {
        var tar = try bytes("tar.tar")
        let bulk = try XCTUnwrap(tarMembers(tar).first { $0.name == "3351.dat" })
        tar[bulk.header + 1] ^= 0x01
        let path = try temporaryDirectory() + "/corrupt.tar"
        try Data(tar).write(to: URL(fileURLWithPath: path))
        let error = assertMediabaseError { try TarArchiveReader(path: path).read(into: CollectingSink()) }
        guard case let .malformedInput(location, expected)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(location.byteOffset, Int64(bulk.header))
        XCTAssertTrue(expected.contains("checksum"), expected)
    }

    /// A tar that is not pg_dump's (its first member is not toc.dat) is refused by detection,
    /// with the member it found.
    func testTarWithoutTOCFirstIsRefused() throws {
        var tar = try bytes("tar.tar")
        tar[0] = UInt8(ascii: "x")
        // The header checksum is the sum of its bytes, the checksum field taken as spaces.
        let sum = tar[0..<512].enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 0x20 : Int($1.element)) }
        let field = Array(String(format: "%06o", sum).utf8) + [0, 0x20]
        tar.replaceSubrange(148..<156, with: field)
        let path = try temporaryDirectory() + "/other.tar"
        try Data(tar).write(to: URL(fileURLWithPath: path))
        let error = assertMediabaseError { _ = try DumpReader.open(path: path) }
        guard case let .unsupportedInput(_, reason)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("\"xoc.dat\", not toc.dat"), reason)
        let direct = assertMediabaseError { _ = try TarArchiveReader(path: path) }
        XCTAssertTrue(direct?.localizedDescription.contains("not a pg_dump tar archive") ?? false, "\(String(describing: direct))")
    }

    func testPipedCustomArchiveReadsFromAStreamWithoutSize() throws {
        let (_, sink) = try readCustom(bytes("custom-piped.dump"))
        assertFixtureRows(sink)
        let reader = try CustomArchiveReader(stream: MemoryByteStream(bytes("custom.dump")), file: "pipe")
        let piped = CollectingSink()
        try reader.read(into: piped)
        assertFixtureRows(piped)
    }

    /// pg_dump 16 and later, writing `-Fc` to a redirected standard output, append a copy of the
    /// TOC after the data blocks: reading stops at the last entry's block, as pg_restore does.
    /// (PostgresVersionsTests converts such a dump of each installed version.)
    func testWhatFollowsTheLastDataBlockIsNotRead() throws {
        let file = try bytes("custom.dump")
        let reader = try CustomArchiveReader(path: fixture("custom.dump"))
        let firstBlock = try XCTUnwrap(reader.toc.entries.compactMap { entry -> Int? in
            if case let .at(offset)? = entry.dataOffset { return Int(offset) } else { return nil }
        }.min())
        let (_, sink) = try readCustom(file + file[5..<firstBlock])
        assertFixtureRows(sink)
    }

    func testDumpReaderDetectsAndReadsArchives() throws {
        let gzipped = try temporaryDirectory() + "/custom.dump.gz"
        try Data(TestArchiveWriter.storedGzip(bytes("custom.dump"))).write(to: URL(fileURLWithPath: gzipped))
        for (path, kind) in [(fixture("custom.dump"), InputFormat.Kind.custom), (fixture("directory"), .directory), (gzipped, .custom)] {
            let reader = try DumpReader.open(path: path)
            XCTAssertEqual(reader.format.kind, kind, path)
            let sink = CollectingSink()
            try reader.read(into: sink)
            assertFixtureRows(sink)
            XCTAssertEqual(reader.info.archiveVersion, "1.14")
            XCTAssertEqual(reader.info.database, "fixture")
        }
    }

    // MARK: - Header and TOC of the fixtures

    func testCustomArchiveHeaderAndTOC() throws {
        let reader = try CustomArchiveReader(path: fixture("custom.dump"))
        let header = reader.toc.header
        XCTAssertEqual(header.version, ArchiveVersion(1, 14, 0))
        XCTAssertEqual(header.intSize, 4)
        XCTAssertEqual(header.offSize, 8)
        XCTAssertEqual(header.formatCode, ArchiveHeader.customFormatCode)
        XCTAssertEqual(header.compression, .gzip)
        XCTAssertEqual(header.compressionLevel, -1)
        XCTAssertEqual(header.databaseName, "fixture")
        XCTAssertTrue(header.serverVersion?.hasPrefix("15.") ?? false, header.serverVersion ?? "nil")
        XCTAssertTrue(header.dumpVersion?.hasPrefix("15.") ?? false, header.dumpVersion ?? "nil")
        XCTAssertGreaterThanOrEqual(header.created.year ?? 0, 2024)
        XCTAssertEqual(reader.toc.encoding, "UTF8")
        XCTAssertTrue(reader.toc.standardConformingStrings)

        let info = reader.info
        XCTAssertEqual(info.archiveVersion, "1.14")
        XCTAssertEqual(info.compression, "gzip")
        XCTAssertEqual(info.database, "fixture")
        XCTAssertEqual(info.encoding, "UTF8")
        XCTAssertEqual(info.serverVersion, header.serverVersion)

        let entries = reader.toc.entries
        XCTAssertEqual(entries.count, 16)
        XCTAssertEqual(Array(entries.prefix(3)).map(\.desc), ["ENCODING", "STDSTRINGS", "SEARCHPATH"])
        let descs = entries.map { "\($0.desc ?? "") \($0.namespace ?? "-") \($0.tag ?? "")" }
        for expected in ["SCHEMA - other", "TABLE public genes", "TABLE other empty", "SEQUENCE public counter",
                         "TABLE DATA public genes", "SEQUENCE SET public counter", "BLOBS - BLOBS", "CONSTRAINT public genes genes_pkey"] {
            XCTAssertTrue(descs.contains(expected), "missing \(expected) in \(descs)")
        }

        let table = try XCTUnwrap(entries.first { $0.desc == "TABLE" && $0.tag == "genes" })
        XCTAssertFalse(table.hasData)
        XCTAssertEqual(table.section, .preData)
        XCTAssertEqual(table.tableAccessMethod, "heap")
        XCTAssertNil(table.relationKind)
        XCTAssertEqual(table.owner, "postgres")
        XCTAssertEqual(table.dataOffset, .noData)
        XCTAssertTrue(table.definition?.hasPrefix("CREATE TABLE public.genes (") ?? false)

        let data = try XCTUnwrap(entries.first { $0.desc == "TABLE DATA" && $0.tag == "genes" })
        XCTAssertTrue(data.hasData)
        XCTAssertEqual(data.section, .data)
        XCTAssertEqual(data.copyStatement, "COPY public.genes (id, symbol, info, aliases, score) FROM stdin;\n")
        XCTAssertEqual(data.dependencies, [table.dumpId])
        XCTAssertNil(data.dataFile)
        guard case let .at(position)? = data.dataOffset else { return XCTFail("no data offset: \(String(describing: data.dataOffset))") }
        let file = try bytes("custom.dump")
        XCTAssertEqual(file[Int(position)], 1, "BLK_DATA at the recorded offset")

        let key = try XCTUnwrap(entries.first { $0.desc == "CONSTRAINT" })
        XCTAssertEqual(key.section, .postData)
        XCTAssertTrue(key.dependencies.contains(table.dumpId))
    }

    func testPipedArchiveHasNoDataOffsets() throws {
        let reader = try CustomArchiveReader(path: fixture("custom-piped.dump"))
        let data = reader.toc.entries.filter(\.hasData)
        XCTAssertEqual(data.count, 4)
        XCTAssertTrue(data.allSatisfy { $0.dataOffset == .notSet })
    }

    func testUncompressedAndInsertArchives() throws {
        let z0 = try CustomArchiveReader(path: fixture("custom-z0.dump"))
        XCTAssertEqual(z0.toc.header.compression, .none)
        XCTAssertEqual(z0.toc.header.compressionLevel, 0)
        let inserts = try CustomArchiveReader(path: fixture("custom-inserts.dump"))
        let data = try XCTUnwrap(inserts.toc.entries.first { $0.desc == "TABLE DATA" && $0.tag == "genes" })
        XCTAssertNil(data.copyStatement)
    }

    func testDirectoryArchiveTOCNamesDataFiles() throws {
        let reader = try DirectoryArchiveReader(path: fixture("directory"))
        XCTAssertEqual(reader.toc.header.formatCode, ArchiveHeader.directoryFormatCode)
        XCTAssertEqual(reader.toc.header.compression, .gzip)
        let data = reader.toc.entries.filter { $0.desc == "TABLE DATA" }
        XCTAssertEqual(data.map(\.dataFile), data.map { "\($0.dumpId).dat" })
        XCTAssertTrue(reader.toc.entries.allSatisfy { $0.dataOffset == nil })
        XCTAssertEqual(reader.toc.entries.first { $0.desc == "BLOBS" }?.dataFile, "blobs.toc")
        XCTAssertNil(reader.toc.entries.first { $0.desc == "TABLE" }?.dataFile)
    }

    func testDirectoryTOCMayBeGzipped() throws {
        let directory = try temporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture("directory-z0")) where name != "toc.dat" {
            try FileManager.default.copyItem(atPath: fixture("directory-z0/\(name)"), toPath: "\(directory)/\(name)")
        }
        try Data(TestArchiveWriter.storedGzip(bytes("directory-z0/toc.dat"))).write(to: URL(fileURLWithPath: "\(directory)/toc.dat.gz"))
        let reader = try DirectoryArchiveReader(path: directory)
        let sink = CollectingSink()
        try reader.read(into: sink)
        assertFixtureRows(sink)
    }

    // MARK: - Synthetic archives of every supported version

    private static let createTable = "CREATE TABLE public.t (\n    id integer NOT NULL,\n    tags text[],\n    doc jsonb\n);\n"
    private static let copyText = Array("1\t{a,\"b c\"}\t{\"k\": 1}\n2\t\\N\t{}\n\\.\n\n\n".utf8)
    private static let copyRows: [[String?]] = [["1", "{a,\"b c\"}", "{\"k\": 1}"], ["2", nil, "{}"]]

    /// A custom archive with a table, its data in `chunks`, and a large-object block to skip.
    private func syntheticArchive(minor: UInt8, gzip: Bool, chunkSize: Int = 7) -> TestArchiveWriter {
        var writer = TestArchiveWriter()
        writer.minor = minor
        if minor >= 15 { writer.algorithm = gzip ? 1 : 0 } else { writer.level = gzip ? 6 : 0 }
        writer.entries = [
            .init(dumpId: 1, tag: "ENCODING", desc: "ENCODING", defn: "SET client_encoding = 'LATIN1';\n", namespace: nil),
            .init(dumpId: 2, tag: "t", desc: "TABLE", defn: Self.createTable, tableam: "heap", relkind: UInt8(ascii: "r")),
            .init(dumpId: 3, hadDumper: true, tag: "t", desc: "TABLE DATA", section: 3,
                  copyStmt: "COPY public.t (id, tags, doc) FROM stdin;\n", dependencies: [2], offsetFlag: 1),
            .init(dumpId: 4, hadDumper: true, tag: "BLOBS", desc: "BLOBS", section: 3, namespace: nil, offsetFlag: 1),
        ]
        let payload = gzip ? TestArchiveWriter.storedZlib(Self.copyText) : Self.copyText
        writer.blocks = [
            .data(dumpId: 3, chunks: TestArchiveWriter.chunked(payload, size: chunkSize)),
            .blobs(dumpId: 4, objects: [(oid: 16500, chunks: [[1, 2, 3], [4]]), (oid: 16501, chunks: [])]),
        ]
        return writer
    }

    func testEverySupportedVersionReads() throws {
        for minor in UInt8(10)...16 {
            for gzip in [false, true] {
                let (reader, sink) = try readCustom(syntheticArchive(minor: minor, gzip: gzip).bytes())
                let header = reader.toc.header
                XCTAssertEqual(header.version, ArchiveVersion(1, minor))
                XCTAssertEqual(header.compression, gzip ? .gzip : .none)
                XCTAssertEqual(header.compressionLevel, minor >= 15 ? nil : (gzip ? 6 : 0))
                XCTAssertEqual(header.created.year, 2025)
                XCTAssertEqual(header.created.month, 11)
                XCTAssertEqual(header.serverVersion, "17.2")
                XCTAssertEqual(reader.toc.encoding, "LATIN1")
                XCTAssertFalse(reader.toc.standardConformingStrings)

                let table = reader.toc.entries[1]
                XCTAssertEqual(table.tableAccessMethod, minor >= 14 ? "heap" : nil)
                XCTAssertEqual(table.relationKind, minor >= 16 ? "r" : nil)
                XCTAssertEqual(table.section, .preData)
                XCTAssertEqual(reader.toc.entries[2].section, .data, "1.\(minor): given, or implied before 1.11")
                XCTAssertEqual(reader.toc.entries[2].dependencies, [2])
                XCTAssertEqual(reader.toc.entries[2].dataOffset, .notSet)

                XCTAssertEqual(sink.tables.map(\.schema.qualifiedName), ["public.t"], "1.\(minor)")
                XCTAssertEqual(sink.tables.first?.rows, Self.copyRows, "1.\(minor) gzip \(gzip)")
                XCTAssertEqual(sink.tables.first?.schema.columns.map(\.type), ["integer", "text[]", "jsonb"])
            }
        }
    }

    func testSyntheticDirectoryArchive() throws {
        let directory = try temporaryDirectory()
        var writer = syntheticArchive(minor: 16, gzip: false)
        writer.formatCode = ArchiveHeader.directoryFormatCode
        writer.entries[2].dataFile = "3.dat"
        writer.entries[3].dataFile = "blobs_4.toc"
        writer.blocks = []
        try Data(writer.bytes()).write(to: URL(fileURLWithPath: "\(directory)/toc.dat"))
        try Data(TestArchiveWriter.storedGzip(Self.copyText)).write(to: URL(fileURLWithPath: "\(directory)/3.dat.gz"))
        let reader = try DirectoryArchiveReader(path: directory)
        XCTAssertEqual(reader.toc.entries[2].dataFile, "3.dat")
        XCTAssertEqual(reader.toc.entries[1].relationKind, "r")
        let sink = CollectingSink()
        try reader.read(into: sink)
        XCTAssertEqual(sink.tables.first?.rows, Self.copyRows)
    }

    func testIntegersOfOtherSizes() throws {
        var writer = syntheticArchive(minor: 14, gzip: false)
        writer.intSize = 8
        writer.offSize = 4
        let (reader, sink) = try readCustom(writer.bytes())
        XCTAssertEqual(reader.toc.header.intSize, 8)
        XCTAssertEqual(sink.tables.first?.rows, Self.copyRows)
    }

    // MARK: - Unsupported inputs

    func testAPipeIsRefusedBeforeAnythingReadsIt() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pipe = (folder as NSString).appendingPathComponent("dump.sql")
        XCTAssertEqual(mkfifo(pipe, 0o600), 0)
        // Opening a FIFO for reading would wait for a writer: the refusal must come first.
        let error = assertMediabaseError { _ = try DumpReader.open(path: pipe) }
        guard case let .unsupportedInput(location, reason)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(location.file, pipe)
        XCTAssertTrue(reason.contains("not a regular file"), reason)
    }

    func testUnsupportedVersionsAreNamed() throws {
        for (major, minor) in [(UInt8(1), UInt8(9)), (1, 17), (2, 0)] {
            var writer = syntheticArchive(minor: 16, gzip: false)
            writer.major = major
            writer.minor = minor
            let error = assertMediabaseError { _ = try readCustom(writer.bytes()) }
            guard case let .unsupportedInput(location, reason)? = error else { XCTFail("\(String(describing: error))"); continue }
            XCTAssertTrue(reason.contains("version \(major).\(minor)"), reason)
            XCTAssertEqual(location.byteOffset, 5)
        }
    }

    func testLZ4AndZstdCompressionAreNamed() throws {
        // pg_dump 15's archive with its 1.14 header rewritten as 1.15: the 5-byte zlib level
        // becomes the 1-byte algorithm.
        var file = try bytes("custom.dump")
        XCTAssertEqual(file[6], 14)
        for (code, name) in [(UInt8(2), "lz4"), (3, "zstd")] {
            file[6] = 15
            let patched = Array(file[0..<11]) + [code] + file[16...]
            let reader = try CustomArchiveReader(stream: MemoryByteStream(patched), file: "x.dump", size: Int64(patched.count))
            XCTAssertEqual(reader.toc.header.compression.description, name)
            XCTAssertEqual(reader.info.compression, name)
            let error = assertMediabaseError { try reader.read(into: CollectingSink()) }
            guard case let .unsupportedInput(location, reason)? = error else { XCTFail("\(String(describing: error))"); continue }
            XCTAssertTrue(reason.contains(name), reason)
            XCTAssertEqual(location.table, "other.empty")
        }
    }

    func testDirectoryDataFilesInLZ4OrZstdAreNamed() throws {
        for (suffix, magic, name) in [(".lz4", [UInt8]([0x04, 0x22, 0x4D, 0x18]), "lz4"), (".zst", [0x28, 0xB5, 0x2F, 0xFD], "zstd")] {
            let directory = try temporaryDirectory()
            var writer = syntheticArchive(minor: 16, gzip: false)
            writer.formatCode = ArchiveHeader.directoryFormatCode
            writer.algorithm = name == "lz4" ? 2 : 3
            writer.entries[2].dataFile = "3.dat"
            writer.blocks = []
            try Data(writer.bytes()).write(to: URL(fileURLWithPath: "\(directory)/toc.dat"))
            try Data(magic + [0, 0, 0, 0]).write(to: URL(fileURLWithPath: "\(directory)/3.dat\(suffix)"))
            let reader = try DirectoryArchiveReader(path: directory)
            XCTAssertEqual(reader.info.compression, name)
            let error = assertMediabaseError { try reader.read(into: CollectingSink()) }
            guard case let .unsupportedInput(location, reason)? = error else { XCTFail("\(String(describing: error))"); continue }
            XCTAssertTrue(reason.contains(name), reason)
            XCTAssertEqual(location.file, "\(directory)/3.dat\(suffix)")
            XCTAssertEqual(location.table, "public.t")
        }
    }

    func testMissingDataFileIsAnIOError() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: fixture("directory/toc.dat"), toPath: "\(directory)/toc.dat")
        let error = assertMediabaseError { try DirectoryArchiveReader(path: directory).read(into: CollectingSink()) }
        guard case let .io(path, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(path.hasSuffix(".dat"), path)
    }

    func testDirectoryTOCGivenAsCustomArchive() throws {
        let error = assertMediabaseError { _ = try CustomArchiveReader(path: fixture("directory/toc.dat")) }
        guard case let .unsupportedInput(_, reason)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("directory"), reason)
    }

    func testNotAnArchive() throws {
        let error = assertMediabaseError { _ = try readCustom(Array("PGDMQ and more".utf8)) }
        guard case let .malformedInput(location, expected)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(location.byteOffset, 4)
        XCTAssertTrue(expected.contains("PGDMP"), expected)
    }

    // MARK: - Damaged archives

    /// Every prefix of an archive fails with a MediabaseError: no crash, no hang, no silent
    /// success with missing data.
    func testTruncatedCustomArchivesAlwaysFail() throws {
        // Every cut in the header and TOC of one archive, and a sample of cuts elsewhere.
        for (name, tocStep, dataStep) in [("custom.dump", 1, 5), ("custom-z0.dump", 3, 11), ("custom-piped.dump", 3, 11), ("custom-inserts.dump", 3, 7)] {
            let file = try bytes(name)
            // The fixtures' TOCs are alike; the seekable one records where its data starts.
            let reader = try CustomArchiveReader(path: fixture("custom.dump"))
            let firstBlock = try XCTUnwrap(reader.toc.entries.compactMap { entry -> Int? in
                if case let .at(offset)? = entry.dataOffset { return Int(offset) } else { return nil }
            }.min())
            let lengths = Array(stride(from: 0, to: firstBlock, by: tocStep)) + Array(stride(from: firstBlock, to: file.count, by: dataStep))
            for length in lengths {
                assertMediabaseError("\(name) cut to \(length) bytes") { _ = try readCustom(Array(file[0..<length])) }
            }
        }
    }

    func testTruncatedSyntheticArchivesAlwaysFail() throws {
        for minor in UInt8(10)...16 {
            let file = syntheticArchive(minor: minor, gzip: true).bytes()
            for length in 0..<file.count {
                assertMediabaseError("1.\(minor) cut to \(length) bytes") { _ = try readCustom(Array(file[0..<length])) }
            }
        }
    }

    func testTruncatedDirectoryFilesFail() throws {
        let directory = try temporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture("directory")) {
            try FileManager.default.copyItem(atPath: fixture("directory/\(name)"), toPath: "\(directory)/\(name)")
        }
        let toc = try bytes("directory/toc.dat")
        for length in 0..<toc.count {
            try Data(toc[0..<length]).write(to: URL(fileURLWithPath: "\(directory)/toc.dat"))
            assertMediabaseError("toc.dat cut to \(length) bytes") { try DirectoryArchiveReader(path: directory).read(into: CollectingSink()) }
        }
        try Data(toc).write(to: URL(fileURLWithPath: "\(directory)/toc.dat"))
        let reader = try DirectoryArchiveReader(path: directory)
        let genes = try XCTUnwrap(reader.toc.entries.first { $0.desc == "TABLE DATA" && $0.tag == "genes" }?.dataFile)
        let data = try bytes("directory/\(genes).gz")
        for length in stride(from: 0, to: data.count, by: 3) {
            try Data(data[0..<length]).write(to: URL(fileURLWithPath: "\(directory)/\(genes).gz"))
            assertMediabaseError("\(genes).gz cut to \(length) bytes") { try reader.read(into: CollectingSink()) }
        }
    }

    func testFlippedByteInCompressedBlockNamesTableAndOffset() throws {
        let file = try bytes("custom.dump")
        let reader = try CustomArchiveReader(path: fixture("custom.dump"))
        let data = reader.toc.entries.filter { $0.desc == "TABLE DATA" || $0.desc == "BLOBS" }
        let bulk = try XCTUnwrap(data.firstIndex { $0.tag == "bulk" })
        guard case let .at(start)? = data[bulk].dataOffset, case let .at(end)? = data[bulk + 1].dataOffset else {
            return XCTFail("no data offsets")
        }
        // Past the block header and the first chunk's length, inside the compressed bytes.
        for position in stride(from: Int(start) + 20, to: Int(end) - 10, by: 997) {
            var damaged = file
            damaged[position] ^= 0x55
            let error = assertMediabaseError("flipped byte \(position)") { _ = try readCustom(damaged) }
            guard case let .malformedInput(location, _)? = error else { XCTFail("\(String(describing: error))"); continue }
            XCTAssertEqual(location.table, "public.bulk", "flipped byte \(position): \(location)")
            XCTAssertNotNil(location.byteOffset)
        }
    }

    func testDecompressionErrorIsPlacedInTheFile() throws {
        // Stored deflate blocks make the damage predictable: a wrong NLEN is reported where it is.
        let file = syntheticArchive(minor: 16, gzip: true, chunkSize: 5).bytes()
        let payload = TestArchiveWriter.storedZlib(Self.copyText)
        let payloadStart = try XCTUnwrap(findChunkedPayloadStart(file, payload: payload))
        // Payload bytes 0-1 are the zlib header, 2 the stored block's BFINAL/BTYPE, 3-4 LEN and
        // 5-6 NLEN: the start of the second 5-byte chunk.
        let nlen = fileOffset(ofPayload: 5, start: payloadStart)
        var damaged = file
        damaged[nlen] ^= 0xFF
        let error = assertMediabaseError { _ = try readCustom(damaged) }
        guard case let .malformedInput(location, expected)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(location.table, "public.t")
        XCTAssertTrue(expected.contains("zlib"), expected)
        let offset = try XCTUnwrap(location.byteOffset)
        XCTAssertTrue((Int64(nlen)...Int64(nlen + 4)).contains(offset), "reported \(offset), damaged \(nlen)")

        var checksum = file
        let adler = fileOffset(ofPayload: payload.count - 1, start: payloadStart)
        checksum[adler] ^= 0x01
        let checksumError = assertMediabaseError { _ = try readCustom(checksum) }
        guard case let .malformedInput(checksumLocation, checksumExpected)? = checksumError else {
            return XCTFail("\(String(describing: checksumError))")
        }
        XCTAssertEqual(checksumLocation.table, "public.t")
        XCTAssertTrue(checksumExpected.contains("zlib"), checksumExpected)
        XCTAssertTrue((Int64(adler - 4)...Int64(adler + 1)).contains(checksumLocation.byteOffset ?? 0), "\(checksumLocation)")
    }

    /// Where payload byte `index` of a block in 5-byte chunks lies: each chunk after the first
    /// is preceded by its 5-byte length.
    private func fileOffset(ofPayload index: Int, start: Int) -> Int { start + index / 5 * 10 + index % 5 }

    /// The file offset of the first payload byte of the data block whose chunks hold `payload`.
    private func findChunkedPayloadStart(_ file: [UInt8], payload: [UInt8]) -> Int? {
        let head = Array(payload.prefix(5))
        return (0..<(file.count - head.count)).first { Array(file[$0..<($0 + head.count)]) == head }
    }

    func testCorruptLengthsAreRejectedWithoutAllocating() throws {
        var writer = syntheticArchive(minor: 16, gzip: false)
        writer.entries[1].tag = "t"
        let file = writer.bytes()
        // The tag of the TABLE entry: find its length-prefixed "t" after the first "ENCODING" tags.
        let tagLength: [UInt8] = [0, 1, 0, 0, 0, UInt8(ascii: "t")]
        let tag = try XCTUnwrap((0..<(file.count - 6)).first { Array(file[$0..<($0 + 6)]) == tagLength })
        for (magnitude, sign) in [([UInt8](repeating: 0xFF, count: 4), UInt8(0)), ([0xFF, 0xFF, 0xFF, 0x7F], 0), ([5, 0, 0, 0], 1)] {
            var damaged = file
            damaged[tag] = sign
            damaged.replaceSubrange((tag + 1)..<(tag + 5), with: magnitude)
            let error = assertMediabaseError { _ = try readCustom(damaged) }
            guard case let .malformedInput(location, expected)? = error else { XCTFail("\(String(describing: error))"); continue }
            XCTAssertEqual(location.byteOffset, Int64(tag))
            XCTAssertTrue(expected.hasPrefix("the tag of TOC entry 2 of 4"), expected)
            XCTAssertTrue(expected.contains(sign == 0 ? "(a string of \(magnitude.reversed().reduce(0) { $0 << 8 | Int($1) }) bytes), but the input ends at byte \(file.count)"
                                                      : "a string length of -1 (NULL) or more, not -5"), expected)
        }
        // Without a known size, lengths are limited to 1 GiB.
        var huge = file
        huge.replaceSubrange((tag + 1)..<(tag + 5), with: [0, 0, 0, 0x50])
        let error = assertMediabaseError {
            _ = try CustomArchiveReader(stream: MemoryByteStream(huge), file: "pipe")
        }
        guard case let .malformedInput(_, expected)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(expected.contains("a string of at most \(1 << 30) bytes, not \(0x5000_0000)"), expected)
    }

    func testBadSQLInTheTOCNamesTheEntry() throws {
        var writer = syntheticArchive(minor: 16, gzip: false)
        writer.entries[1].defn = "CREATE TABLE public.t (\n    id integer DEFAULT 'unterminated\n);\n"
        let error = assertMediabaseError { _ = try readCustom(writer.bytes()) }
        guard case let .malformedInput(location, expected)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(location.table, "public.t")
        XCTAssertTrue(expected.contains("of the definition in TOC entry 2"), expected)

        writer = syntheticArchive(minor: 16, gzip: false)
        writer.entries[2].copyStmt = "COPY public.t (id, tags) FROM stdin;\n"
        let mismatch = assertMediabaseError { _ = try readCustom(writer.bytes()) }
        guard case let .malformedInput(rowLocation, _)? = mismatch else { return XCTFail("\(String(describing: mismatch))") }
        XCTAssertEqual(rowLocation.table, "public.t")
        XCTAssertEqual(rowLocation.line, 1)
    }

    func testCorruptBlocks() throws {
        let good = syntheticArchive(minor: 16, gzip: false).bytes()
        let header: [UInt8] = [1, 0, 3, 0, 0, 0]
        let blocks = try XCTUnwrap((0..<(good.count - 6)).last { Array(good[$0..<($0 + 6)]) == header })

        var wrongType = good
        wrongType[blocks] = 2
        let typeError = assertMediabaseError { _ = try readCustom(wrongType) }
        guard case let .malformedInput(location, expected)? = typeError else { return XCTFail("\(String(describing: typeError))") }
        XCTAssertEqual(location.byteOffset, Int64(blocks))
        XCTAssertTrue(expected.contains("data block type"), expected)

        var unknownId = good
        unknownId[blocks + 2] = 9
        let idError = assertMediabaseError { _ = try readCustom(unknownId) }
        guard case let .malformedInput(_, idExpected)? = idError else { return XCTFail("\(String(describing: idError))") }
        XCTAssertTrue(idExpected.contains("dump id 9"), idExpected)

        var hugeChunk = good
        hugeChunk.replaceSubrange((blocks + 7)..<(blocks + 11), with: [0xFF, 0xFF, 0xFF, 0x7F])
        let chunkError = assertMediabaseError { _ = try readCustom(hugeChunk) }
        guard case let .malformedInput(chunkLocation, chunkExpected)? = chunkError else { return XCTFail("\(String(describing: chunkError))") }
        XCTAssertEqual(chunkLocation.table, "public.t")
        XCTAssertEqual(chunkLocation.byteOffset, Int64(blocks + 6))
        XCTAssertTrue(chunkExpected.hasPrefix("the next chunk of the data of public.t (a chunk of 2147483647 bytes)"), chunkExpected)
    }
}
