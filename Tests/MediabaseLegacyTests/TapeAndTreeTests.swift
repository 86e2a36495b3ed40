import XCTest
@testable import MediabaseBytes
@testable import MediabaseModel
@testable import MediabaseInput
@testable import MediabaseLegacy
@testable import MediabaseGenerate
import MediabaseTestSupport

/// `drugs`, `drug_scores`, `pharmgkb_pathways` and `source_references` read from a ``JSONTape``
/// against the ``JSONValue`` tree path the normalizer takes for values with escapes: every value
/// is converted twice, once as written and once with a character of a string spelled as a
/// `\u` escape (the same value, which the tape leaves to the tree), and both give the same rows,
/// rejects and counts.
final class TapeAndTreeTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws { folder = try Fixtures.scratchFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private struct Outcome: Equatable {
        var lines: [String]
        /// Reason, detail and field of each reject.
        var rejects: [String]
        var tally: NormalizationTally
    }

    private static let columns = ["drugs", "drug_scores", "pharmgkb_pathways", "source_references"]

    /// Converts one legacy row per entry (each its own gene), the entry giving the four columns.
    private func convert(_ rows: [[String?]]) throws -> Outcome {
        func field(_ value: String?) -> String {
            guard let value else { return "\\N" }
            return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        }
        let lines = rows.enumerated().map { index, values in
            (["ENST\(index)", "ENSG\(index)"] + values.map(field)).joined(separator: "\t")
        }
        let dump = """
            CREATE TABLE public.cancer_transcript_base (transcript_id text NOT NULL, gene_id text, drugs jsonb, drug_scores jsonb, pharmgkb_pathways jsonb, source_references jsonb);
            COPY public.cancer_transcript_base (transcript_id, gene_id, \(Self.columns.joined(separator: ", "))) FROM stdin;
            \(lines.joined(separator: "\n"))
            \\.

            """
        let input = (folder as NSString).appendingPathComponent("rows.sql")
        try dump.write(toFile: input, atomically: true, encoding: .utf8)
        let rejectsPath = (folder as NSString).appendingPathComponent("rejects.jsonl")
        let output = RecordingOutput()
        let rejectLog = try RejectLog(path: rejectsPath, maxRejects: nil, input: "rows.sql")
        let normalizer = try LegacyNormalizer(output: output, rejects: rejectLog)
        try DumpReader.open(path: input).read(into: normalizer)
        try normalizer.finish()
        try rejectLog.flush()
        var rejects: [String] = []
        for line in try String(contentsOfFile: rejectsPath, encoding: .utf8).split(separator: "\n") {
            let value = try JSON.parse(String(line))
            rejects.append("\(value["reason"]?.stringValue ?? "") | \(value["detail"]?.stringValue ?? "") | \(value["field"]?.stringValue ?? "")")
        }
        var tally = normalizer.tally
        // The bytes differ by the escapes.
        tally.legacyBytes = 0
        return Outcome(lines: output.lines, rejects: rejects, tally: tally)
    }

    /// The value with the first letter or digit inside a string written as a `\u` escape, or nil
    /// when it has none, holds escapes already or is not JSON (the tree reads it either way; an
    /// escape would move the offset its reject names).
    private static func escaped(_ text: String) -> String? {
        guard !text.contains("\\"), (try? JSON.parse(text)) != nil else { return nil }
        var inString = false
        for index in text.indices {
            let character = text[index]
            if character == "\"" {
                inString.toggle()
            } else if inString, character.isASCII, character.isLetter || character.isNumber {
                let code = String(character.asciiValue!, radix: 16)
                return text[..<index] + "\\u00" + code + text[text.index(after: index)...]
            }
        }
        return nil
    }

    /// Converts the rows as written and with escapes; both must agree, and the escaped ones must
    /// have taken the tree.
    private func assertTapeAgreesWithTree(_ rows: [[String?]], file: StaticString = #filePath, line: UInt = #line) throws {
        var treeRows = rows
        var escapes = 0
        for (index, values) in rows.enumerated() {
            for (column, value) in values.enumerated() {
                guard let value, let escaped = Self.escaped(value) else { continue }
                treeRows[index][column] = escaped
                escapes += 1
            }
        }
        XCTAssertGreaterThan(escapes, 0, file: file, line: line)
        let tape = try convert(rows)
        let tree = try convert(treeRows)
        assertSameList(tape.lines, tree.lines, file: file, line: line)
        assertSameList(tape.rejects, tree.rejects, file: file, line: line)
        XCTAssertEqual(tape.tally, tree.tally, file: file, line: line)
    }

    /// The first difference only: the lists are long.
    private func assertSameList(_ tape: [String], _ tree: [String], file: StaticString, line: UInt) {
        guard let index = (0..<min(tape.count, tree.count)).first(where: { tape[$0] != tree[$0] }) ?? (tape.count == tree.count ? nil : min(tape.count, tree.count)) else { return }
        XCTFail("item \(index) of \(tape.count) (tape) and \(tree.count) (tree): \(index < tape.count ? tape[index] : "none") vs \(index < tree.count ? tree[index] : "none")",
                file: file, line: line)
    }

    func testTrickyValues() throws {
        let pathway = #"{"PA1": {"reactions": [{"drugs": ["cisplatin", " Cisplatin ", "", 7, null], "pmids": ["11", 12, " ", null, "11"]}, {"drugs": ["x"]}, "r", {"pmids": "9", "drugs": "y"}], "pathway_name": " Platinum ", "pathway_type": 3, "name": "other"}}"#
        let rows: [[String?]] = [
            [#"{"1": {"name": " aspirin ", "evidence": {"type": "approved", "score": "0.5"}, "max_phase": 4, "pmids": ["1", 2]}, "CHEMBL25": "Aspirin", "DB01": {"drug_name": "é"}, "x": [1], "y": null, "z": 2.50}"#,
             #"{"1": 0.9, " CHEMBL25 ": "0.25", "z": true, "1": null, "extra": 1e3}"#, pathway,
             #"{"trials": ["7", "7", {"pmid": "7", "year": "2001", "citation_count": 2.0}], "reviews": [{"PMID": 8, "year": "soon"}, {"pmid": " "}, null, "", 9, true], "one": {"pubmed_id": "10", "citation_count": 1.5}, "none": "11"}"#],
            [#"{"pharmgkb_data": {"source": "PharmGKB", "vip_info": {"vip": true, "n": [1, {"a": null}]}, "pathway_data": \#(pathway), "variant_summary": {"count": 5}}, "pharmgkb_data": "later"}"#,
             "[1, 2]", #"{"pathway_data": {"PA2": {"name": "n", "type": "t"}, " ": {}}, "note": "kept", "pathway_data": {"PA3": {}}}"#, #"[{"pmid": "1"}]"#],
            [#"["tamoxifen", " ", {"name": "x", "evidence": "trial"}, {"pref_name": "y", "evidence": {"score": 1}}, {"id": 1}, 3, null, true, ["nested"]]"#,
             "not json", #"[{"pathway_id": "PA4", "pathway_name": "a"}, {"id": 5}, {"name": "no id"}, "PA6", null]"#, #""a string""#],
            [#"{"pharmgkb_data": [1, "two"]}"#, nil, #""PA7""#, "3"],
            [#"{"pharmgkb_data": {"pathway_data": [{"pharmgkb_id": "PA8", "reactions": [{"drugs": ["a"], "pmids": ["1"]}]}], "clinical_annotations": []}}"#,
             "{}", "[]", #"{"a": {"b": "c"}}"#],
            ["12", #"{"k": "v"}"#, "true", "null"],
            [#"{"Ｋ": {"name": "wide"}, "pharmgkb_dat\#u{212A}": {"name": "kelvin"}, " 42 ": {"name": "spaced"}}"#, nil, #"{"pathway_dat\#u{212A}": {"PA9": {}}}"#,
             #"{"c\#u{0301}": ["é\#u{0301}", {"pmid": "\#u{00A0}13\#u{2003}", "year": "１"}]}"#],
            [#"{"1": {"name": "a", "name": "b", "evidence": 5, "evidence": {"type": "t"}}}"#, "{", "{\"PA10\": 1}", "{\"a\": [1,]}"],
            ["{\"a\": \"\\u0000\"}", nil, "[\"\\u0000\"]", "{\"a\": \"x\\u0000\"}"],
        ]
        try assertTapeAgreesWithTree(rows)
    }

    /// Values put together from the pieces of the real shapes: the tape and the tree agree on
    /// every one.
    func testGeneratedValues() throws {
        var generator = SplitMix64(seed: 21)
        let keys = ["pharmgkb_data", "pathway_data", "reactions", "drugs", "pmids", "name", "drug_name", "pref_name", "evidence", "type",
                    "score", "max_phase", "pathway_name", "pathway_type", "pathway_id", "id", "pmid", "PMID", "year", "citation_count",
                    "evidence_type", "source_db", "1", "CHEMBL2", "DB03", "PA4", " x ", "é"]
        let scalars = ["\"a\"", "\" B \"", "\"\"", "\"2001\"", "\"0.5\"", "7", "-1.5", "2.0", "1e2", "null", "true", "false", "\"é\"", "\"PA1\""]
        func value(_ depth: Int) -> String {
            switch depth > 3 ? 0 : Int.random(in: 0...5, using: &generator) {
            case 0, 1: return generator.pick(scalars)
            case 2, 3:
                // Fresh ids now and then, so that pathways and drugs are new to the normalizer.
                let members = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                    "\"\(generator.oneIn(4) ? "PA\(Int.random(in: 0..<100_000, using: &generator))" : generator.pick(keys))\": \(value(depth + 1))"
                }
                return "{" + members.joined(separator: ", ") + "}"
            default:
                return "[" + (0..<Int.random(in: 0...3, using: &generator)).map { _ in value(depth + 1) }.joined(separator: ", ") + "]"
            }
        }
        var rows: [[String?]] = []
        for _ in 0..<1500 {
            rows.append((0..<4).map { _ in generator.oneIn(8) ? nil : generator.oneIn(10) ? generator.pick(scalars) : value(0) })
            // A value that does not parse now and then (the tape leaves it to the tree's reject).
            if generator.oneIn(20) { rows[rows.count - 1][Int.random(in: 0..<4, using: &generator)] = "{\"a\": 1,}" }
        }
        try assertTapeAgreesWithTree(rows)
    }
}
