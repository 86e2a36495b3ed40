import XCTest
@testable import MediabaseSQLite
@testable import MediabaseOutput
@testable import MediabasePatients
import MediabaseTestSupport

/// Matching patient ids against the core: the id rules of docs/spec.md §4.1, case-insensitive symbols,
/// canonical transcripts by support level.
final class CoreTranscriptIndexTests: XCTestCase {
    private let index = CoreTranscriptIndex(sortedRows: [
        .init(transcriptId: "ENST00000000010", geneId: "ENSG00000000001", supportLevel: 3, geneSymbol: "ALPHA"),
        .init(transcriptId: "ENST00000000011", geneId: "ENSG00000000001", supportLevel: 1, geneSymbol: "ALPHA"),
        .init(transcriptId: "ENST00000000012", geneId: "ENSG00000000001", supportLevel: 1, geneSymbol: "ALPHA"),
        .init(transcriptId: "ENST00000000020", geneId: "ENSG00000000002", supportLevel: nil, geneSymbol: "C1orf112"),
        .init(transcriptId: "ENST00000000021", geneId: "ENSG00000000002", supportLevel: 5, geneSymbol: "C1orf112"),
        .init(transcriptId: "ENST00000000030", geneId: "ENSG00000000003", supportLevel: nil, geneSymbol: "Metazoa_SRP"),
        .init(transcriptId: "ENST00000000040", geneId: "ENSG00000000004", supportLevel: nil, geneSymbol: "Metazoa_SRP"),
        .init(transcriptId: "ENST00000000041", geneId: "ENSG00000000004", supportLevel: 2, geneSymbol: "Metazoa_SRP"),
        .init(transcriptId: "ENST00000000050", geneId: "ENSG00000000005", supportLevel: 4, geneSymbol: "metazoa_srp"),
    ])

    /// The transcript ids `id` matches.
    private func match(_ id: String, _ mapping: SymbolMapping = .canonical) -> [String]? {
        var id = id
        return id.withUTF8 { bytes in index.match(bytes.span, mapping: mapping).map { index.targets(of: $0).map { index.transcriptIds[Int($0)] } } }
    }

    func testTranscriptIdsAfterTheIdRules() {
        XCTAssertEqual(match("ENST00000000010"), ["ENST00000000010"])
        XCTAssertEqual(match(" ENST00000000010.4 "), ["ENST00000000010"])
        XCTAssertEqual(match("enst00000000010"), ["ENST00000000010"])
        XCTAssertEqual(match("ensembl:ENST00000000010.2"), ["ENST00000000010"])
        XCTAssertNil(match("ENST00000000099"))
        XCTAssertNil(match("ENST00000000010_PAR_Y"))
    }

    func testGeneIdsMapToTheCanonicalTranscript() {
        // Lowest support level, then the smallest id.
        XCTAssertEqual(match("ENSG00000000001.12"), ["ENST00000000011"])
        // An unknown support level ranks after any known one.
        XCTAssertEqual(match("ENSG00000000002"), ["ENST00000000021"])
        XCTAssertEqual(match("ENSG00000000001", .allTranscripts), ["ENST00000000011", "ENST00000000012", "ENST00000000010"])
    }

    func testSymbolsAreCaseInsensitive() {
        XCTAssertEqual(match("alpha"), ["ENST00000000011"])
        XCTAssertEqual(match("C1ORF112"), ["ENST00000000021"])
        XCTAssertEqual(match("c1orf112", .allTranscripts), ["ENST00000000021", "ENST00000000020"])
        XCTAssertNil(match("BETA"))
    }

    func testASymbolOfSeveralGenesStandsForEachOfThem() {
        // Each gene's canonical transcript: ENSG…4's is ENST…41 (support level 2 before none).
        XCTAssertEqual(match("Metazoa_SRP").map(Set.init), ["ENST00000000030", "ENST00000000041", "ENST00000000050"])
        XCTAssertEqual(match("METAZOA_SRP", .allTranscripts).map(Set.init), ["ENST00000000030", "ENST00000000040", "ENST00000000041", "ENST00000000050"])
        var id = "metazoa_SRP"
        let shared = id.withUTF8 { index.match($0.span, mapping: .canonical) }
        XCTAssertEqual(shared?.isSharedSymbol, true)
        XCTAssertEqual(shared.flatMap(index.sharedSymbol(of:)), "Metazoa_SRP")
        var single = "ALPHA"
        XCTAssertEqual(single.withUTF8 { index.match($0.span, mapping: .canonical)?.isSharedSymbol }, false)
        var gene = "ENSG00000000004"
        XCTAssertEqual(gene.withUTF8 { index.match($0.span, mapping: .canonical).map { index.targets(of: $0).map { index.transcriptIds[Int($0)] } } }, ["ENST00000000041"])
    }

    func testSupportLevelsAsEnsemblWritesThemInTheCore() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = (folder as NSString).appendingPathComponent("core.sqlite")
        let database = try SQLiteDatabase(path: path)
        try database.execute(SchemaFiles.sqliteCore)
        try database.execute("""
            INSERT INTO genes (gene_id, gene_symbol) VALUES ('ENSG00000000001', 'ALPHA');
            INSERT INTO transcripts (transcript_id, gene_id, transcript_support_level) VALUES
                ('ENST00000000010', 'ENSG00000000001', '1 (assigned to previous version 5)'),
                ('ENST00000000009', 'ENSG00000000001', 'NA'),
                ('ENST00000000011', 'ENSG00000000001', 2);
            """)
        let loaded = try CoreTranscriptIndex.load(path: path)
        XCTAssertEqual(loaded.transcriptIds, ["ENST00000000009", "ENST00000000010", "ENST00000000011"])
        var id = "alpha"
        XCTAssertEqual(id.withUTF8 { loaded.match($0.span, mapping: .canonical).flatMap { loaded.targets(of: $0).first } }, 1)
    }

    func testAFileThatIsNotACoreIsRefused() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = (folder as NSString).appendingPathComponent("other.sqlite")
        try SQLiteDatabase(path: path).execute("CREATE TABLE t (a)")
        XCTAssertThrowsError(try CoreTranscriptIndex.load(path: path)) { error in
            XCTAssertTrue(error.localizedDescription.contains("not a mediabase core"), error.localizedDescription)
        }
    }
}
