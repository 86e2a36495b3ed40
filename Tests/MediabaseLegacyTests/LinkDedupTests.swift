import XCTest
@testable import MediabaseSQLite
@testable import MediabaseModel
@testable import MediabaseInput
@testable import MediabaseLegacy
@testable import MediabaseOutput
@testable import MediabaseValidate
import MediabaseTestSupport

/// Gene link rows that repeat a key: within one legacy row the normalizer drops the repeats
/// itself; across rows it marks the gene and the writer's merge step drops them. Either way the
/// first link written is the one kept.
final class LinkDedupTests: ScratchFolderTestCase {
    private static let platinum = #"{"PA1": {"pathway_name": "Platinum", "reactions": [{"drugs": ["cisplatin", "Cisplatin"], "pmids": ["11"]}]}}"#

    private static func row(_ transcript: String, _ gene: String, pathways: String = "", drugs: String = "", pharmgkb: String = "",
                            uniprot: String = "", altGeneIds: String = "", references: String = "") -> String {
        [transcript, "SYM", gene, pathways, drugs, pharmgkb, uniprot, altGeneIds, references]
            .map { $0.isEmpty ? "\\N" : $0 }.joined(separator: "\t")
    }

    private func convert(_ rows: [String]) throws -> (marks: Int, SQLiteDatabase) {
        let columns = "transcript_id, gene_symbol, gene_id, pathways, drugs, pharmgkb_pathways, uniprot_ids, alt_gene_ids, source_references"
        let dump = """
            CREATE TABLE public.cancer_transcript_base (transcript_id text NOT NULL, gene_symbol text, gene_id text, pathways text[], drugs jsonb, pharmgkb_pathways jsonb, uniprot_ids text[], alt_gene_ids jsonb, source_references jsonb);
            COPY public.cancer_transcript_base (\(columns)) FROM stdin;
            \(rows.joined(separator: "\n"))
            \\.

            """
        let input = path("links.sql")
        try dump.write(toFile: input, atomically: true, encoding: .utf8)
        let writer = try SQLiteCoreWriter(path: path("core.sqlite"))
        let normalizer = try LegacyNormalizer(output: writer, rejects: try RejectLog(path: nil, maxRejects: nil, input: "test.sql"))
        try DumpReader.open(path: input).read(into: normalizer)
        try normalizer.finish()
        let marks = try writer.database.integer("SELECT count(*) FROM temp.duplicate_marks")
        // The unique key indexes are built here: a repeated key would fail them.
        try writer.finish(appliedAt: "2024-01-01T00:00:00Z")
        XCTAssertTrue(try CoreValidator.validate(writer.database).allSatisfy(\.passed))
        return (marks, writer.database)
    }

    func testRepeatsWithinOneRowAreDroppedWithoutTheMergeStep() throws {
        let (marks, db) = try convert([
            Self.row("ENST00000000001", "ENSG00000000001",
                     pathways: #"{"Apoptosis [Reactome:R-HSA-1]","Apoptosis, again [Reactome:R-HSA-1]"}"#,
                     drugs: #"{"pharmgkb_data": {"pathway_data": \#(Self.platinum)}}"#, pharmgkb: Self.platinum,
                     uniprot: "{P11}", altGeneIds: #"{"UniProt": ["P11"], " UniProt ": "P11", "HGNC": "HGNC:1"}"#,
                     references: #"{"trials": ["7", "7", {"pmid": "7"}], "reviews": ["7"]}"#),
            // The gene's second row repeats every value: nothing new, nothing marked.
            Self.row("ENST00000000002", "ENSG00000000001",
                     pathways: #"{"Apoptosis [Reactome:R-HSA-1]","Apoptosis, again [Reactome:R-HSA-1]"}"#,
                     drugs: #"{"pharmgkb_data": {"pathway_data": \#(Self.platinum)}}"#, pharmgkb: Self.platinum,
                     uniprot: "{P11}", altGeneIds: #"{"UniProt": ["P11"], " UniProt ": "P11", "HGNC": "HGNC:1"}"#,
                     references: #"{"trials": ["7", "7", {"pmid": "7"}], "reviews": ["7"]}"#),
            // One column alone repeating a pathway id.
            Self.row("ENST00000000003", "ENSG00000000002", pathways: #"{"Apoptosis [Reactome:R-HSA-1]","Apoptosis, again [Reactome:R-HSA-1]"}"#),
        ])
        XCTAssertEqual(marks, 0)
        XCTAssertEqual(try db.rows("SELECT gene_id, pathway_id, origin FROM gene_pathways ORDER BY rowid"), [
            ["ENSG00000000001", "R-HSA-1", "pathways"], ["ENSG00000000001", "PA1", "drugs.pharmgkb_data"],
            ["ENSG00000000002", "R-HSA-1", "pathways"],
        ])
        XCTAssertEqual(try db.rows("SELECT drug_interaction_id, interaction_type, pathway_id, pmids FROM gene_drug_interactions"),
                       [["1", "pharmgkb_pathway", "PA1", "[\"11\"]"]])
        XCTAssertEqual(try db.rows("SELECT external_db, external_id FROM gene_cross_references ORDER BY rowid"),
                       [["UniProt", "P11"], ["HGNC", "HGNC:1"]])
        XCTAssertEqual(try db.rows("SELECT pmid, reference_category FROM gene_publications ORDER BY rowid"),
                       [["7", "trials"], ["7", "reviews"]])
    }

    func testRepeatsAcrossRowsAreMergedKeepingTheFirst() throws {
        let (marks, db) = try convert([
            Self.row("ENST00000000001", "ENSG00000000001", drugs: #"{"pharmgkb_data": {"pathway_data": \#(Self.platinum)}}"#, uniprot: "{P11}"),
            // Another row of the gene brings the same pathway and drug through another column,
            // and a second uniprot value (a conflict) that repeats P11.
            Self.row("ENST00000000002", "ENSG00000000001", pharmgkb: Self.platinum, uniprot: "{P11,P12}"),
        ])
        XCTAssertGreaterThan(marks, 0)
        XCTAssertEqual(try db.rows("SELECT pathway_id, origin FROM gene_pathways"), [["PA1", "drugs.pharmgkb_data"]])
        XCTAssertEqual(try db.integer("SELECT count(*) FROM gene_drug_interactions"), 1)
        XCTAssertEqual(try db.rows("SELECT external_id FROM gene_cross_references ORDER BY rowid"), [["P11"], ["P12"]])
    }
}

final class DistinctListTests: XCTestCase {
    func testKeepsFirstSeenOrderWithoutRepeatsBeforeAndAfterTheSwitchToASet() {
        var list = DistinctList<Int>()
        let values = (0..<40).map { $0 % 23 } + [5, 22, 39, 0]
        for value in values { list.append(value) }
        var expected: [Int] = []
        for value in values where !expected.contains(value) { expected.append(value) }
        XCTAssertEqual(list.elements, expected)
        XCTAssertEqual(list.elements.count, 24)
    }
}
