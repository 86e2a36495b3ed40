import XCTest
@testable import MediabaseSQLite
@testable import MediabaseModel
@testable import MediabaseInput
@testable import MediabaseLegacy
@testable import MediabaseOutput
@testable import MediabaseBytes
import MediabaseTestSupport

/// `coordinates`, `alt_transcript_ids`, `alt_gene_ids` and `go_terms` in their usual flat shape are read
/// without a JSON tree; every other shape goes through the tree. Either way the rows and the
/// rejects are those of docs/spec.md §4.1, written out here by hand.
final class FlatJSONFieldsTests: ScratchFolderTestCase {
    /// A COPY line: backslashes doubled, as pg_dump writes them; nil is NULL.
    private static func row(_ fields: String?...) -> String {
        fields.map { $0.map { $0.replacingOccurrences(of: "\\", with: "\\\\") } ?? "\\N" }.joined(separator: "\t")
    }

    private func convert(_ rows: [String], columns: String = "transcript_id, gene_id, coordinates, alt_transcript_ids, alt_gene_ids",
                         types: String = "transcript_id text NOT NULL, gene_id text, coordinates jsonb, alt_transcript_ids jsonb, alt_gene_ids jsonb")
        throws -> (SQLiteDatabase, rejects: [[String: Any]]) {
        let dump = """
            CREATE TABLE public.cancer_transcript_base (\(types));
            COPY public.cancer_transcript_base (\(columns)) FROM stdin;
            \(rows.joined(separator: "\n"))
            \\.

            """
        let input = path("flat.sql")
        try dump.write(toFile: input, atomically: true, encoding: .utf8)
        let rejectsPath = path("rejects.jsonl")
        let rejects = try RejectLog(path: rejectsPath, maxRejects: nil, input: "flat.sql")
        let writer = try SQLiteCoreWriter(path: path("core.sqlite"))
        let normalizer = try LegacyNormalizer(output: writer, rejects: rejects)
        try DumpReader.open(path: input).read(into: normalizer)
        try normalizer.finish()
        try rejects.close()
        try writer.finish(appliedAt: "2024-01-01T00:00:00Z")
        let lines = try String(contentsOfFile: rejectsPath, encoding: .utf8).split(separator: "\n")
        return (writer.database, try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) })
    }

    func testFlatAndUnusualShapesGiveTheSpecifiedRowsAndRejects() throws {
        let (db, rejects) = try convert([
            // The usual shapes: trimmed, Ensembl ids normalized, repeats and empty ids dropped.
            Self.row("ENST00000000001", "ENSG00000000001", #"{"end": 200, "start": 100, "strand": -1}"#,
                     #"{"CCDS": "CCDS1.2", "RefSeq": ["NM_1.1", " NM_2 ", "NM_1.1"], "Ensembl": "ensembl: enst00000000009.3", "n": 7, "e": "", "z": []}"#,
                     #"{" HGNC ": "HGNC:1", "HGNC": ["HGNC:1", 5]}"#),
            // Strings among the coordinates, the last of a repeated key counting; escapes; Unicode
            // white space, which only the tree trims.
            Self.row("ENST00000000002", "ENSG00000000002", #"{"start": "150", "end": 2.5e2, "strand": "+", "start": 1.0e2}"#,
                     #"{"R\u0065fSeq": ["NM_\u0033"], "UCSC": "uc1.1"}"#, "{\"\u{3000}HGNC\u{A0}\": \" HGNC:2\u{2003}\"}"),
            // Integers beyond a Double's 53 bits, a number strand; invalid JSON and an array.
            Self.row("ENST00000000003", "ENSG00000000003", #"{"start": 9007199254740993, "end": 123456789012345, "strand": 1.0}"#,
                     #"{"CCDS": "x",}"#, #"["HGNC:3"]"#),
            // Negative zero, an exponent, a string strand; null; the NUL escape.
            Self.row("ENST00000000004", "ENSG00000000004", #"{"start": -0, "end": 1e3, "strand": "-"}"#, "null", #"{"a": "\u0000"}"#),
            // Nesting: read through the tree, values other than strings and numbers skipped.
            Self.row("ENST00000000005", "ENSG00000000005", #"{"start": 5, "end": 9, "strand": 1, "extra": {"a": [1]}}"#,
                     #"{"x": [true, "id1", null, 2.50], "y": {"z": "w"}}"#, #"{"HGNC": "HGNC:5"}"#),
            // Coordinates that are not JSON, or not numbers: no span.
            Self.row("ENST00000000006", "ENSG00000000006", #"{"start": 1,"#, "{}", #"{"HGNC": [" ", "HGNC:6", "HGNC:6"]}"#),
            Self.row("ENST00000000007", "ENSG00000000007", #"{"start": [7], "end": true, "strand": null}"#, nil, nil),
        ])
        XCTAssertEqual(try db.rows("SELECT transcript_id, external_db, external_id FROM transcript_cross_references ORDER BY rowid"), [
            ["ENST00000000001", "CCDS", "CCDS1.2"], ["ENST00000000001", "RefSeq", "NM_1.1"], ["ENST00000000001", "RefSeq", "NM_2"],
            ["ENST00000000001", "Ensembl", "ENST00000000009"], ["ENST00000000001", "n", "7"],
            ["ENST00000000002", "RefSeq", "NM_3"], ["ENST00000000002", "UCSC", "uc1.1"],
            ["ENST00000000005", "x", "id1"], ["ENST00000000005", "x", "2.50"],
        ])
        XCTAssertEqual(try db.rows("SELECT gene_id, external_db, external_id FROM gene_cross_references ORDER BY rowid"), [
            ["ENSG00000000001", "HGNC", "HGNC:1"], ["ENSG00000000001", "HGNC", "5"],
            ["ENSG00000000002", "HGNC", "HGNC:2"], ["ENSG00000000005", "HGNC", "HGNC:5"], ["ENSG00000000006", "HGNC", "HGNC:6"],
        ])
        XCTAssertEqual(try db.rows("SELECT transcript_id, start_position, end_position, strand FROM transcripts ORDER BY 1"), [
            ["ENST00000000001", "100", "200", "-1"], ["ENST00000000002", "100", "250", "1"],
            ["ENST00000000003", "9007199254740992", "123456789012345", nil], ["ENST00000000004", "0", "1000", "-1"],
            ["ENST00000000005", "5", "9", "1"], ["ENST00000000006", nil, nil, nil], ["ENST00000000007", nil, nil, nil],
        ])
        XCTAssertEqual(try db.rows("SELECT gene_id, start_position, end_position, strand FROM genes ORDER BY 1"), [
            ["ENSG00000000001", "100", "200", "-1"], ["ENSG00000000002", "100", "250", "1"],
            ["ENSG00000000003", "9007199254740992", "123456789012345", nil], ["ENSG00000000004", "0", "1000", "-1"],
            ["ENSG00000000005", "5", "9", "1"], ["ENSG00000000006", nil, nil, nil], ["ENSG00000000007", nil, nil, nil],
        ])
        XCTAssertEqual(rejects.map { "\($0["reason"]!): \($0["detail"]!) (line \($0["line"]!))" }, [
            "field_alt_transcript_ids: alt_transcript_ids is not valid JSON: expected a string key at byte 13 (line 5)",
            "field_alt_gene_ids: alt_gene_ids is a JSON array, not an object keyed by database (line 5)",
            "field_alt_gene_ids: alt_gene_ids holds the JSON escape \\u0000 (NUL) at byte 7, which PostgreSQL text and jsonb cannot store (line 6)",
        ])
    }

    func testGOTermsOfEveryShapeGiveTheSpecifiedRowsAndRejects() throws {
        let dump = [
            // Flat: trimmed, the first key with text, repeats of an id and empty ids dropped.
            Self.row("ENST00000000001", "ENSG00000000001",
                     #"{"GO:1": {"term": " apoptosis ", "aspect": "biological_process", "evidence": "IDA"}, "GO:2": {"name": "n", "term": "", "category": 3, "evidence_code": "IEA", "evidence": "  "}, " GO:1 ": {"term": "dup"}, "": {"term": "x"}, "GO:3": {}}"#),
            // An escape: through the tree, the last of a repeated key counting.
            Self.row("ENST00000000002", "ENSG00000000002", #"{"GO:4": {"term": "first", "aspect": "x\u0079", "term": "last"}}"#),
            // A term that is not an object; invalid JSON; null; an array.
            Self.row("ENST00000000003", "ENSG00000000003", #"{"GO:5": "text", "GO:6": {"term": "t6"}}"#),
            Self.row("ENST00000000004", "ENSG00000000004", #"{"GO:7": {"term": "t"},}"#),
            Self.row("ENST00000000005", "ENSG00000000005", "null"),
            Self.row("ENST00000000006", "ENSG00000000006", "[1]"),
        ]
        let (db, rejects) = try convert(dump, columns: "transcript_id, gene_id, go_terms", types: "transcript_id text NOT NULL, gene_id text, go_terms jsonb")
        XCTAssertEqual(try db.rows("SELECT transcript_id, go_id, go_term, go_category, evidence_code FROM transcript_go_terms ORDER BY rowid"), [
            ["ENST00000000001", "GO:1", "apoptosis", "biological_process", "IDA"], ["ENST00000000001", "GO:2", "n", "3", "IEA"],
            ["ENST00000000001", "GO:3", nil, nil, nil], ["ENST00000000002", "GO:4", "last", "xy", nil],
            ["ENST00000000003", "GO:5", nil, nil, nil], ["ENST00000000003", "GO:6", "t6", nil, nil],
        ])
        XCTAssertEqual(rejects.map { "\($0["reason"]!): \($0["detail"]!) (line \($0["line"]!))" }, [
            "field_go_terms: go_terms is not valid JSON: expected a string key at byte 23 (line 6)",
            "field_go_terms: go_terms is a JSON array, not an object keyed by GO id (line 8)",
        ])
    }

    /// Values kept as they are (`features`, `expression_freq`…) are only validated, with the
    /// rejects a parse gives.
    func testValidatedValuesKeepTheirTextOrGiveTheParseRejects() throws {
        let dump = [
            Self.row("ENST00000000001", "ENSG00000000001", #"{"domains": [{"start": 1}], "note": "\u00e9"}"#, #"{"low": [], "high": ["brain"]}"#),
            Self.row("ENST00000000002", "ENSG00000000002", #"{"a": [1, 2}"#, #"{"low": "\u0000"}"#),
        ]
        let (db, rejects) = try convert(dump, columns: "transcript_id, gene_id, features, expression_freq",
                                        types: "transcript_id text NOT NULL, gene_id text, features jsonb, expression_freq jsonb")
        XCTAssertEqual(try db.rows("SELECT gene_id, field, value_json FROM gene_extras ORDER BY rowid"), [
            ["ENSG00000000001", "expression_freq", #"{"low": [], "high": ["brain"]}"#],
            ["ENSG00000000001", "features", #"{"domains": [{"start": 1}], "note": "\u00e9"}"#],
        ])
        XCTAssertEqual(rejects.map { "\($0["reason"]!): \($0["detail"]!) (line \($0["line"]!))" }, [
            "field_expression_freq: expression_freq holds the JSON escape \\u0000 (NUL) at byte 9, which PostgreSQL text and jsonb cannot store (line 4)",
            "field_features: features is not valid JSON: expected \",\" or \"]\" at byte 11 (line 4)",
        ])
    }

    /// A coordinate read from a flat object's number or string text equals the tree's
    /// `doubleValue` made an exact integer.
    func testCoordinatesMatchTheTreesReading() {
        let numbers = ["0", "-0", "7", "-12", "123456789012345", "-123456789012345", "1234567890123456", "9007199254740993",
                       "99999999999999999999", "1e3", "1E+2", "2.0", "2.5", "-0.0", "1e400", "-1e-400"]
        for text in numbers {
            let expected = JSONValue.number(text).doubleValue.flatMap { Int64(exactly: $0) }
            XCTAssertEqual(LegacyNormalizer.coordinate(Array(text.utf8).span, kind: .number), expected, text)
        }
        for text in ["12", " 12 ", "1e2", "+3", "x", "", "0x10", "inf", "1.5"] {
            let expected = JSONValue.string(text).doubleValue.flatMap { Int64(exactly: $0) }
            XCTAssertEqual(LegacyNormalizer.coordinate(Array(text.utf8).span, kind: .string), expected, text)
        }
    }
}
