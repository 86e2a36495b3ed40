import XCTest
@testable import MediabaseSQLite
@testable import MediabasePatients
import MediabaseTestSupport

/// The core's index in a temporary SQLite file (`patients --memory-limit` below what the index
/// needs) answers every id as the in-memory index does: the same kind, the same transcripts in
/// the same order, the same shared-symbol name.
final class CoreTranscriptFileTests: ScratchFolderTestCase {
    /// A core with support levels (numbers, Ensembl's text, none), symbols several genes share
    /// in several cases, a versioned and a lower-case id in the core, a gene without a symbol
    /// and one with a blank symbol.
    private func makeCore() throws -> String {
        let path = self.path("core.sqlite")
        let database = try SQLiteDatabase(path: path)
        try database.execute("""
            CREATE TABLE genes (gene_id TEXT PRIMARY KEY, gene_symbol TEXT);
            CREATE TABLE transcripts (transcript_id TEXT PRIMARY KEY, gene_id TEXT, transcript_support_level);
            INSERT INTO genes VALUES ('ENSG00000000001', 'ALPHA'), ('ENSG00000000002', 'C1orf112'), ('ENSG00000000003', 'Metazoa_SRP'),
                ('ENSG00000000004', 'Metazoa_SRP'), ('ENSG00000000005', 'metazoa_srp'), ('ENSG00000000006', NULL), ('ENSG00000000007', '  '),
                ('ensg00000000008.2', 'Beta');
            INSERT INTO transcripts VALUES ('ENST00000000010', 'ENSG00000000001', 3), ('ENST00000000011', 'ENSG00000000001', 1),
                ('ENST00000000012', 'ENSG00000000001', '1 (assigned to previous version 5)'), ('ENST00000000020', 'ENSG00000000002', NULL),
                ('ENST00000000021', 'ENSG00000000002', 5), ('ENST00000000030', 'ENSG00000000003', NULL), ('ENST00000000040', 'ENSG00000000004', NULL),
                ('ENST00000000041', 'ENSG00000000004', 2), ('ENST00000000050', 'ENSG00000000005', 4), ('ENST00000000060', 'ENSG00000000006', 1),
                ('ENST00000000070', 'ENSG00000000007', NULL), ('ENST00000000080.4', 'ensg00000000008.2', 2), ('enst00000000081', 'ensg00000000008.2', 1),
                ('ENST00000000090', 'ENSG00000000099', 1);
            """)
        return path
    }

    func testEveryIdMatchesAsInMemory() throws {
        let core = try makeCore()
        let index = try CoreTranscriptIndex.load(path: core)
        let file = try CoreTranscriptFile.build(core: core, at: path("index.sqlite"), cacheKilobytes: 256)
        defer { file.remove() }
        XCTAssertEqual(file.transcriptCount, index.transcriptIds.count)
        XCTAssertEqual(file.geneCount, index.geneCount)
        let reader = try file.reader()
        for position in 0..<index.transcriptIds.count { XCTAssertEqual(try reader.transcriptId(at: position), index.transcriptIds[position]) }
        var ids = index.transcriptIds + ["ENSG00000000001", "ENSG00000000002.7", "ENSG00000000004", "ENSG00000000006", "ENSG00000000007",
                                         "ENSG00000000008", "ensg00000000008", "ENSG00000000099", "ENSG00000000100"]
        ids += ["alpha", "ALPHA", "C1ORF112", "Metazoa_SRP", "METAZOA_SRP", "metazoa_srp", "beta", "BETA", "GAMMA", "", "  ", "ENST00000000080", "ENST00000000081.1",
                " ENST00000000010.4 ", "ensembl:ENST00000000011.2", "ENST00000000099", "ENST00000000010_PAR_Y"]
        var compared = 0
        for id in ids {
            for mapping in SymbolMapping.allCases {
                var text = id
                let expected = text.withUTF8 { bytes in
                    index.match(bytes.span, mapping: mapping).map { ($0.kind, index.targets(of: $0).map(Int.init), index.sharedSymbol(of: $0)) }
                }
                let found = try text.withUTF8 { bytes in try reader.match(bytes.span, mapping: mapping) }
                XCTAssertEqual(found?.kind, expected?.0, "'\(id)' \(mapping)")
                XCTAssertEqual(found?.positions, expected?.1, "'\(id)' \(mapping)")
                XCTAssertEqual(found?.sharedSymbol, expected?.2, "'\(id)' \(mapping)")
                if expected != nil { compared += 1 }
            }
        }
        XCTAssertGreaterThan(compared, 50, "most ids match something")
        var walk = try CoreLookup.file(reader).sortedIds()
        for id in ["ENST00000000010", "ENST00000000011", "ENST00000000015", "ENST00000000080", "ENST00000000080.4", "enst00000000081"] {
            XCTAssertEqual(try walk.contains(id), index.contains(transcriptId: id), id)
        }
    }

    /// The sorted walk (the orphan check's) says exactly which asked ids the core has, in memory
    /// and in the index file, whether the asked ids are dense (every id), sparse (a few far
    /// apart, where the walk gallops or seeks), between the core's, or past its end.
    func testSortedWalkAnswersDenseAndSparseIdsAsTheSetDoes() throws {
        let path = self.path("walk.sqlite")
        let database = try SQLiteDatabase(path: path)
        try database.execute("""
            CREATE TABLE genes (gene_id TEXT PRIMARY KEY, gene_symbol TEXT);
            CREATE TABLE transcripts (transcript_id TEXT PRIMARY KEY, gene_id TEXT, transcript_support_level);
            INSERT INTO genes VALUES ('ENSG1', 'ONE');
            """)
        // Every third number, so that the numbers between are ids the core lacks.
        let coreIds = (0..<3_000).map { String(format: "ENST%011d", $0 * 3) }
        let insert = try database.prepare("INSERT INTO transcripts VALUES (?, 'ENSG1', NULL)")
        for id in coreIds {
            try insert.bind(1, id)
            try insert.run()
        }
        let known = Set(coreIds)
        let index = try CoreTranscriptIndex.load(path: path)
        let file = try CoreTranscriptFile.build(core: path, at: self.path("walk-index.sqlite"), cacheKilobytes: 256)
        defer { file.remove() }
        let reader = try file.reader()
        let all = (0..<9_100).map { String(format: "ENST%011d", $0) }
        let askings: [String: [String]] = [
            "every id": all,
            "sparse": stride(from: 5, to: all.count, by: 997).map { all[$0] },
            "first and last": [all[0], all[8_997], all[9_099]],
            "only past the end": ["ENST99999999999", "ENSTZ"],
            "lower case and longer ids": ["ENST00000000003", "ENST00000000003.1", "ENST000000000030", "enst00000000006"],
        ]
        for (name, asked) in askings {
            for core in [CoreLookup.memory(index), .file(reader)] {
                var walk = try core.sortedIds()
                let wrong = try asked.filter { try walk.contains($0) != known.contains($0) }
                XCTAssertEqual(wrong, [], "\(name), \(core): ids answered wrongly")
            }
        }
    }
}
