import XCTest
@testable import MediabaseBytes
@testable import MediabaseModel
@testable import MediabaseInput
@testable import MediabaseLegacy
import MediabaseGenerate
import MediabaseTestSupport

/// A transcript's cross-references (`alt_transcript_ids`), products (`product_type`) and GO terms
/// (`go_terms`) in their plain forms are written from the bytes of the value, without Strings;
/// any other spelling of the same value goes through Strings. Random values are converted twice, once as written and once
/// spelled so that the byte path cannot take them (a `\u` escape in the JSON, a space before the
/// array literal), and both give the same rows in the same order.
final class RowBytesPathsTests: ScratchFolderTestCase {
    /// The normalizer's rows for one legacy row per entry (alt_transcript_ids, product_type, go_terms).
    private func convert(_ values: [(ids: String, products: String, goTerms: String)]) throws -> (lines: [String], rejects: Int) {
        func field(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
        }
        let lines = values.enumerated().map { index, value in
            ["ENST\(index)", "ENSG\(index % 7)", field(value.ids), field(value.products), field(value.goTerms)].joined(separator: "\t")
        }
        let dump = """
            CREATE TABLE public.cancer_transcript_base (transcript_id text NOT NULL, gene_id text, alt_transcript_ids jsonb, product_type text[], go_terms jsonb);
            COPY public.cancer_transcript_base (transcript_id, gene_id, alt_transcript_ids, product_type, go_terms) FROM stdin;
            \(lines.joined(separator: "\n"))
            \\.

            """
        let input = path("rows.sql")
        try dump.write(toFile: input, atomically: true, encoding: .utf8)
        let output = RecordingOutput()
        let rejects = try RejectLog(path: nil, maxRejects: nil, input: "rows.sql")
        let normalizer = try LegacyNormalizer(output: output, rejects: rejects)
        try DumpReader.open(path: input).read(into: normalizer)
        try normalizer.finish()
        return (output.lines, rejects.total)
    }

    /// A JSON object of the pieces, and the same object with its first key's first character as a
    /// `\u` escape (nil for an empty object).
    private static func ids(_ members: [(key: String, ids: [String])]) -> (plain: String, escaped: String?) {
        func quoted(_ text: String) -> String { "\"\(text)\"" }
        func object(escapeFirst: Bool) -> String {
            let parts = members.enumerated().map { index, member -> String in
                var key = quoted(member.key)
                if escapeFirst, index == 0, let first = member.key.unicodeScalars.first {
                    key = "\"\\u\(String(format: "%04x", first.value))\(member.key.dropFirst())\""
                }
                let value = member.ids.count == 1 && member.key.count % 2 == 0 ? member.ids[0].jsonText : "[\(member.ids.map(\.jsonText).joined(separator: ", "))]"
                return "\(key): \(value)"
            }
            return "{\(parts.joined(separator: ", "))}"
        }
        let canEscape = members.first.map { !$0.key.isEmpty } ?? false
        return (object(escapeFirst: false), canEscape ? object(escapeFirst: true) : nil)
    }

    /// A `go_terms` object of flat objects, and the same with its first key's first character as a
    /// `\u` escape (nil for an empty object).
    private static func goTerms(_ terms: [(id: String, members: [(key: String, value: String)])]) -> (plain: String, escaped: String?) {
        func object(escapeFirst: Bool) -> String {
            let parts = terms.enumerated().map { index, term -> String in
                var key = "\"\(term.id)\""
                if escapeFirst, index == 0, let first = term.id.unicodeScalars.first {
                    key = "\"\\u\(String(format: "%04x", first.value))\(term.id.dropFirst())\""
                }
                return "\(key): {\(term.members.map { "\"\($0.key)\": \($0.value.jsonText)" }.joined(separator: ", "))}"
            }
            return "{\(parts.joined(separator: ", "))}"
        }
        let canEscape = terms.first.map { !$0.id.isEmpty } ?? false
        return (object(escapeFirst: false), canEscape ? object(escapeFirst: true) : nil)
    }

    func testPlainValuesGiveTheRowsOfTheirOtherSpellings() throws {
        var random = SplitMix64(seed: 0xB17E_0001)
        let keys = ["RefSeq", " UCSC ", "CCDS", "", "Ensembl", "x"]
        // Repeats, padding, empty ids, numbers, Ensembl ids that normalize and that upper-case.
        let ids = ["NM_1.1", " NM_2 ", "NM_1.1", "ENST00000000009.3", "ensembl: ENST00000000009.3", "enst00000000009", "", "7", "1.5e2", "uc1.1"]
        let elements = ["a", "TP53", "x y", " padded ", "NULL", "null", "dup", "dup", "", "{", "a,b"]
        // Repeated GO ids, padding, empty ids and values, numbers, each member name of the three
        // read in turn, a member repeated (the last counts, even empty).
        let goIds = ["GO:0000001", " GO:0000002 ", "GO:0000001", "", "GO:0000003", "GO:0000004"]
        let goKeys = ["term", "name", "aspect", "category", "namespace", "evidence", "evidence_code", "term", "other"]
        let goValues = ["ATP binding", " padded ", "", "IEA", "7", "biological_process", "x"]
        var plain: [(ids: String, products: String, goTerms: String)] = []
        var other: [(ids: String, products: String, goTerms: String)] = []
        for _ in 0..<600 {
            // Up to 20 ids and elements, past the 16 the byte path compares pairwise.
            let members = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                (key: random.pick(keys), ids: (0..<Int.random(in: 1...(random.oneIn(8) ? 20 : 4), using: &random)).map { _ in random.pick(ids) })
            }
            let (json, escaped) = Self.ids(members)
            let products: [[UInt8]?] = (0..<Int.random(in: 0...(random.oneIn(8) ? 20 : 4), using: &random)).map { _ in
                random.oneIn(6) ? nil : Array(random.pick(elements).utf8)
            }
            var literal: [UInt8] = []
            ArrayLiteral.appendLiteral(products, to: &literal)
            let text = String(decoding: literal, as: UTF8.self)
            let terms = (0..<Int.random(in: 0...(random.oneIn(8) ? 20 : 4), using: &random)).map { _ in
                (id: random.pick(goIds), members: (0..<Int.random(in: 0...5, using: &random)).map { _ in (key: random.pick(goKeys), value: random.pick(goValues)) })
            }
            let go = Self.goTerms(terms)
            plain.append((json, text, go.plain))
            other.append((escaped ?? json, " " + text, go.escaped ?? go.plain))
        }
        let fromBytes = try convert(plain)
        let fromStrings = try convert(other)
        XCTAssertEqual(fromBytes.lines, fromStrings.lines)
        XCTAssertEqual(fromBytes.rejects, 0)
        XCTAssertEqual(fromStrings.rejects, 0)
        // Both tables got rows, repeats among them dropped.
        XCTAssertGreaterThan(fromBytes.lines.filter { $0.hasPrefix("transcriptCrossReferences ") }.count, 500)
        XCTAssertGreaterThan(fromBytes.lines.filter { $0.hasPrefix("transcriptProducts ") }.count, 500)
        XCTAssertGreaterThan(fromBytes.lines.filter { $0.hasPrefix("transcriptGoTerms ") }.count, 500)
        XCTAssertGreaterThan(fromBytes.lines.filter { $0.hasPrefix("geneGoTermsWork ") }.count, 100)
    }
}

private extension String {
    /// The id as a JSON value: a number when it is one, else a string.
    var jsonText: String { Double(self) != nil && !hasPrefix(" ") ? self : "\"\(self)\"" }
}
