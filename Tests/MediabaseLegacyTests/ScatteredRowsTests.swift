import XCTest
@testable import MediabaseSQLite
@testable import MediabaseModel
@testable import MediabaseInput
@testable import MediabaseLegacy
@testable import MediabaseOutput
import MediabaseTestSupport

/// The rows of a gene need not be adjacent (docs/spec.md §4.1 dedups by gene wherever its rows are): the
/// normalizer keeps only recent genes in memory and spills the others, and the result must be
/// the same as with every gene in memory.
final class ScatteredRowsTests: ScratchFolderTestCase {
    private static let genes = 40
    private static let transcriptsPerGene = 3

    private static func geneId(_ gene: Int) -> String { "ENSG\(String(format: "%011d", gene + 1))" }
    private static func transcriptId(_ gene: Int, _ transcript: Int) -> String {
        "ENST\(String(format: "%011d", (gene + 1) * 10 + transcript))"
    }

    private static func row(gene: Int, transcript: String, symbol: String, start: Int, end: Int,
                            pathways: String = "{\"Apoptosis [Reactome:R-HSA-109581]\"}") -> String {
        let geneId = geneId(gene)
        let drugs = "{\"\(gene + 100)\": {\"name\": \"drug\(gene)\"}, \"CHEMBL\(gene)\": {\"name\": \"chembl\(gene)\"}}"
        let go = "{\"GO:000\(gene % 7)\": {\"term\": \"t\", \"aspect\": \"biological_process\", \"evidence\": \"IDA\"}}"
        return [transcript, symbol, geneId, "protein_coding", "chr1", "{\"start\": \(start), \"end\": \(end), \"strand\": 1}",
                "{protein}", go, pathways, drugs, "{P\(gene),Q\(gene)}", "{breast}"].joined(separator: "\t")
    }

    /// Gene g's transcript t is at row t × genes + g: every gene's rows are `genes` rows apart.
    /// Gene 0's smallest transcript comes last and carries another symbol (a conflict); gene 5's
    /// first transcript comes back versioned at the very end (a merge across the whole file),
    /// gene 7's first transcript comes back under gene 8, and gene 9's last row has another
    /// pathways value (a union and a conflict).
    private func writeScatteredDump() throws -> String {
        var rows: [String] = []
        for transcript in 0..<Self.transcriptsPerGene {
            for gene in 0..<Self.genes {
                let id = Self.transcriptId(gene, gene == 0 ? Self.transcriptsPerGene - 1 - transcript : transcript)
                let symbol = gene == 0 && transcript == Self.transcriptsPerGene - 1 ? "FIRST" : "SYM\(gene)"
                let pathways = gene == 9 && transcript == Self.transcriptsPerGene - 1 ? "{\"Other [Reactome:R-HSA-1]\"}" : nil
                rows.append(pathways.map { Self.row(gene: gene, transcript: id, symbol: symbol, start: 1000 * gene + transcript, end: 2000 * gene + 500 - transcript, pathways: $0) }
                            ?? Self.row(gene: gene, transcript: id, symbol: symbol, start: 1000 * gene + transcript, end: 2000 * gene + 500 - transcript))
            }
        }
        rows.append(Self.row(gene: 5, transcript: Self.transcriptId(5, 0) + ".2", symbol: "SYM5", start: 1, end: 99_999))
        rows.append(Self.row(gene: 8, transcript: Self.transcriptId(7, 0), symbol: "SYM8", start: 8000, end: 16_500))
        let columns = "transcript_id, gene_symbol, gene_id, gene_type, chromosome, coordinates, product_type, go_terms, pathways, drugs, uniprot_ids, cancer_types"
        let dump = """
            CREATE TABLE public.cancer_transcript_base (transcript_id text NOT NULL, gene_symbol text, gene_id text, gene_type text, chromosome text, coordinates jsonb, product_type text[], go_terms jsonb, pathways text[], drugs jsonb, uniprot_ids text[], cancer_types text[]);
            COPY public.cancer_transcript_base (\(columns)) FROM stdin;
            \(rows.joined(separator: "\n"))
            \\.

            """
        let path = self.path("scattered.sql")
        try dump.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func convert(_ input: String, geneStateBytes: Int, pendingTranscripts: Int, goTermCacheBytes: Int = 1 << 24,
                         name: String) throws -> (NormalizationTally, SQLiteDatabase) {
        let writer = try SQLiteCoreWriter(path: path(name))
        let normalizer = try LegacyNormalizer(output: writer, rejects: try RejectLog(path: nil, maxRejects: nil, input: "test.sql"),
                                              geneStateBytes: geneStateBytes, pendingTranscripts: pendingTranscripts,
                                              goTermCacheBytes: goTermCacheBytes)
        try DumpReader.open(path: input).read(into: normalizer)
        try normalizer.finish()
        try writer.finish(appliedAt: "2024-01-01T00:00:00Z")
        return (normalizer.tally, writer.database)
    }

    private func content(_ db: SQLiteDatabase) throws -> [String] {
        var lines: [String] = []
        for name in try db.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap({ $0[0] }) {
            lines += try db.rows("SELECT * FROM \"\(name)\"").map { name + ": " + $0.map { $0 ?? "NULL" }.joined(separator: "|") }
        }
        return lines
    }

    func testScatteredGeneRowsGiveTheSameCoreAsAllInMemory() throws {
        let input = try writeScatteredDump()
        let (inMemory, reference) = try convert(input, geneStateBytes: 1 << 30, pendingTranscripts: 1 << 15, name: "memory.sqlite")
        // No bytes for gene states (only the one at hand stays) and four pending transcripts:
        // nearly every row finds its gene and transcript spilled.
        let (spilled, core) = try convert(input, geneStateBytes: 0, pendingTranscripts: 4, name: "spilled.sqlite")
        XCTAssertEqual(spilled, inMemory)
        XCTAssertEqual(try content(core), try content(reference))
        // Seven GO values shared by the scattered genes: parsed once each with the cache, parsed
        // for every row without it (a budget too small for one value), the same rows either way.
        let (uncachedTally, uncached) = try convert(input, geneStateBytes: 1 << 30, pendingTranscripts: 1 << 15, goTermCacheBytes: 0, name: "uncached.sqlite")
        XCTAssertEqual(uncachedTally, inMemory)
        XCTAssertEqual(try content(uncached), try content(reference))
        // One term per transcript, and gene 7's first transcript also gets gene 8's term (GO:0001
        // besides GO:0000) from the row that lists it again under gene 8.
        XCTAssertEqual(try core.integer("SELECT count(*) FROM transcript_go_terms"), Self.genes * Self.transcriptsPerGene + 1)
        XCTAssertEqual(try core.rows("SELECT go_id FROM transcript_go_terms WHERE transcript_id = ? ORDER BY 1", [Self.transcriptId(7, 0)]),
                       [["GO:0000"], ["GO:0001"]])

        XCTAssertEqual(spilled.genes, Self.genes)
        XCTAssertEqual(spilled.transcripts, Self.genes * Self.transcriptsPerGene)
        XCTAssertEqual(spilled.mergedTranscriptRows, 2)
        XCTAssertEqual(spilled.transcriptsOnTwoGenes, 1)
        XCTAssertEqual(spilled.conflictingGenes, 2, "gene 0's symbols and gene 9's pathways")
        // Each gene's value is processed once, its repeats skipped.
        XCTAssertEqual(try core.integer("SELECT count(*) FROM gene_cross_references"), 2 * Self.genes)
        XCTAssertEqual(try core.integer("SELECT count(*) FROM gene_extras WHERE field = 'cancer_types'"), Self.genes)
        XCTAssertEqual(try core.integer("SELECT count(*) FROM gene_drug_interactions"), 2 * Self.genes)
        XCTAssertEqual(try core.rows("SELECT pathway_id FROM gene_pathways WHERE gene_id = ? ORDER BY 1", [Self.geneId(9)]),
                       [["R-HSA-1"], ["R-HSA-109581"]])

        // Scalars come from the smallest transcript id, wherever its row is; the span covers
        // every row of the gene, the merged versioned one included.
        XCTAssertEqual(try core.scalar("SELECT gene_symbol FROM genes WHERE gene_id = ?", [Self.geneId(0)]), "FIRST")
        XCTAssertEqual(try core.rows("SELECT start_position, end_position FROM genes WHERE gene_id = ?", [Self.geneId(5)]), [["1", "99999"]])
        XCTAssertEqual(try core.rows("SELECT gene_id, start_position FROM transcripts WHERE transcript_id = ?", [Self.transcriptId(5, 0)]),
                       [[Self.geneId(5), "5000"]])
        XCTAssertEqual(try core.scalar("SELECT gene_id FROM transcripts WHERE transcript_id = ?", [Self.transcriptId(7, 0)]), Self.geneId(7))
        XCTAssertEqual(try core.integer("SELECT count(*) FROM transcript_go_terms WHERE transcript_id = ?", [Self.transcriptId(5, 0)]), 1)
        XCTAssertEqual(try core.scalar("SELECT group_concat(gene_id) FROM (SELECT gene_id FROM genes ORDER BY rowid)"),
                       (0..<Self.genes).map(Self.geneId).joined(separator: ","))
    }
}

extension ScatteredRowsTests {
    /// A gene's rows that change its gene-level values and change them back, or leave one out:
    /// each row's set of values is remembered as one hash, the values' own hashes wait in the
    /// spill file, and the rows are the same as with everything in memory.
    func testRowsThatChangeAGenesValuesAndChangeBack() throws {
        func row(_ gene: Int, _ transcript: Int, cancer: String = "{breast}", uniprot: String = "{P1,Q1}") -> String {
            ["ENST\(String(format: "%011d", gene * 10 + transcript))", "SYM\(gene)", "ENSG\(String(format: "%011d", gene))",
             "{\"Apoptosis [Reactome:R-HSA-109581]\"}", "{\"CHEMBL\(gene)\": {\"name\": \"chembl\(gene)\"}}", uniprot, cancer].joined(separator: "\t")
        }
        // Gene 1: breast, lung, breast again, then no uniprot ids; gene 2: four equal rows; the
        // two genes' rows taking turns.
        let gene1 = [row(1, 0), row(1, 1, cancer: "{lung}"), row(1, 2), row(1, 3, uniprot: "")]
        let gene2 = (0..<4).map { row(2, $0) }
        let rows = zip(gene1, gene2).flatMap { [$0, $1] }
        let path = self.path("changing.sql")
        try """
            CREATE TABLE public.cancer_transcript_base (transcript_id text NOT NULL, gene_symbol text, gene_id text, pathways text[], drugs jsonb, uniprot_ids text[], cancer_types text[]);
            COPY public.cancer_transcript_base (transcript_id, gene_symbol, gene_id, pathways, drugs, uniprot_ids, cancer_types) FROM stdin;
            \(rows.joined(separator: "\n"))
            \\.

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let (inMemory, reference) = try convert(path, geneStateBytes: 1 << 30, pendingTranscripts: 1 << 15, name: "changing-memory.sqlite")
        let (spilled, core) = try convert(path, geneStateBytes: 0, pendingTranscripts: 2, name: "changing-spilled.sqlite")
        XCTAssertEqual(spilled, inMemory)
        XCTAssertEqual(try content(core), try content(reference))
        // Four gene-level values a row (pathways, drugs, uniprot_ids, cancer_types; the last row
        // of gene 1 three). Skipped as repeats: gene 1's second row 3 (all but lung), third row 4
        // (the first row's set again), fourth row 3; gene 2's last three rows 4 each.
        XCTAssertEqual(spilled.identicalValuesSkipped, 3 + 4 + 3 + 3 * 4)
        XCTAssertEqual(spilled.conflictingGenes, 1, "gene 1's cancer types")
        XCTAssertEqual(try core.rows("SELECT value_json FROM gene_extras WHERE gene_id = ? AND field = 'cancer_types' ORDER BY 1", ["ENSG00000000001"]),
                       [["[\"breast\"]"], ["[\"lung\"]"]])
        XCTAssertEqual(try core.integer("SELECT count(*) FROM gene_extras WHERE gene_id = ? AND field = 'cancer_types'", ["ENSG00000000002"]), 1)
        XCTAssertEqual(try core.integer("SELECT count(*) FROM gene_cross_references WHERE gene_id = ?", ["ENSG00000000001"]), 2)
        XCTAssertEqual(try core.integer("SELECT count(*) FROM gene_drug_interactions"), 2)
    }
}

/// The state a gene spills and restores must be the state it had.
final class GeneStatesTests: XCTestCase {
    func testAStateComesBackFromTheFileAsItWas() throws {
        let state = GeneState(index: 7)
        state.symbol = .init(transcriptId: "ENST00000000001", value: "TP53")
        state.strand = .init(transcriptId: "ENST00000000002", value: "-1")
        state.start = -5
        state.end = nil
        state.conflict = true
        state.fieldsSeen = 0b1010
        state.processed = [1, .max, 0x1234_5678_9ABC_DEF0]
        state.fieldKeysOffset = 0x7FFF_0000_1234
        state.rowsSeen = 0xBEEF
        let bytes = state.encoded()
        let copy = GeneState(decoding: bytes.span)
        XCTAssertEqual(copy.index, 7)
        XCTAssertEqual(copy.symbol?.value, "TP53")
        XCTAssertEqual(copy.symbol?.transcriptId, "ENST00000000001")
        XCTAssertNil(copy.type)
        XCTAssertNil(copy.chromosome)
        XCTAssertEqual(copy.strand?.value, "-1")
        XCTAssertEqual(copy.start, -5)
        XCTAssertNil(copy.end)
        XCTAssertTrue(copy.conflict)
        XCTAssertEqual(copy.fieldsSeen, 0b1010)
        XCTAssertEqual(copy.processed, [1, .max, 0x1234_5678_9ABC_DEF0])
        XCTAssertEqual(copy.fieldKeysOffset, 0x7FFF_0000_1234)
        XCTAssertEqual(copy.rowsSeen, 0xBEEF)
        XCTAssertEqual(copy.encoded(), bytes)
        XCTAssertEqual(GeneState(decoding: GeneState(index: 0).encoded().span).fieldKeysOffset, -1)
    }

    func testCandidatesOfOneTranscriptAndLongValuesComeBackAsTheyWere() throws {
        // One row gave every candidate (the transcript id is written once), values past the 15
        // bytes a string keeps inline, a state with no hashes and one with many.
        for hashes in [0, 1, 23, 300] {
            let state = GeneState(index: UInt32.max)
            let transcript = "ENST00000000042.transcript-id-longer-than-fifteen-bytes"
            state.symbol = .init(transcriptId: transcript, value: "A-SYMBOL-OF-MORE-THAN-15-BYTES-é")
            state.type = .init(transcriptId: transcript, value: "protein_coding")
            state.chromosome = .init(transcriptId: transcript, value: "")
            state.strand = .init(transcriptId: transcript, value: "1")
            state.end = .max
            state.fieldsSeen = .max
            for key in 0..<hashes { state.remember(UInt64(key) &* 0x9E37_79B9_7F4A_7C15) }
            let copy = GeneState(decoding: state.encoded().span)
            XCTAssertEqual(copy.index, .max)
            for (original, decoded) in [(state.symbol, copy.symbol), (state.type, copy.type), (state.chromosome, copy.chromosome), (state.strand, copy.strand)] {
                XCTAssertEqual(decoded, original)
            }
            XCTAssertNil(copy.start)
            XCTAssertEqual(copy.end, .max)
            XCTAssertFalse(copy.conflict)
            XCTAssertEqual(copy.fieldsSeen, .max)
            XCTAssertEqual(copy.processed, state.processed)
            XCTAssertEqual(copy.processed.count, hashes)
            XCTAssertEqual(copy.encoded(), state.encoded())
        }
        // Candidates from different transcripts keep each its own id.
        let state = GeneState(index: 1)
        state.symbol = .init(transcriptId: "ENST2", value: "S")
        state.strand = .init(transcriptId: "ENST1", value: "-1")
        let copy = GeneState(decoding: state.encoded().span)
        XCTAssertEqual(copy.symbol, state.symbol)
        XCTAssertEqual(copy.strand, state.strand)
        XCTAssertNil(copy.type)
    }

    func testRememberedHashesLeaveLittleOfTheArrayUnused() {
        let state = GeneState(index: 0)
        for key in 0..<1000 {
            state.remember(UInt64(key))
            XCTAssertLessThanOrEqual(state.processed.capacity, max(8, state.processed.count + state.processed.count / 3 + 8), "after \(key + 1) hashes")
        }
        XCTAssertEqual(state.processed, (0..<1000).map(UInt64.init))
    }

    func testFieldKeysWaitInTheFileAndFollowTheirState() throws {
        // No budget: only the state at hand and the one before stay in memory.
        let states = GeneStates(budgetBytes: 0)
        let first = try states.state(for: "A")
        XCTAssertEqual(try states.fieldKeys(of: first), [])
        try states.keepFieldKeys([1, 2, .max], of: first)
        XCTAssertEqual(try states.fieldKeys(of: first), [1, 2, .max])
        _ = try states.state(for: "B")
        _ = try states.state(for: "C")
        let back = try states.state(for: "A")
        XCTAssertFalse(back === first, "A went to the file and came back")
        XCTAssertEqual(states.tally.restored, 1)
        XCTAssertEqual(try states.fieldKeys(of: back), [1, 2, .max])
        try states.keepFieldKeys([1, 2, .max, 4], of: back)
        XCTAssertEqual(try states.fieldKeys(of: back), [1, 2, .max, 4])
        XCTAssertEqual(try states.fieldKeys(of: states.state(for: "B")), [])
        XCTAssertEqual(states.tally.fieldKeyWrites, 2)
        // A second set of values: the hashes join the state's own, and stay with it.
        let again = try states.state(for: "A")
        again.remember(99)
        try states.moveFieldKeysIntoMemory(of: again)
        XCTAssertEqual(again.processed, [99, 1, 2, .max, 4])
        XCTAssertEqual(again.fieldKeysOffset, GeneState.fieldKeysInMemory)
        try states.moveFieldKeysIntoMemory(of: again)
        XCTAssertEqual(again.processed, [99, 1, 2, .max, 4])
        _ = try states.state(for: "B")
        _ = try states.state(for: "C")
        let restored = try states.state(for: "A")
        XCTAssertEqual(restored.processed, [99, 1, 2, .max, 4])
        XCTAssertEqual(restored.fieldKeysOffset, GeneState.fieldKeysInMemory)
    }

    func testGenesKeepTheirNumberAndComeOutSortedWhateverWasSpilled() throws {
        // Room for the dictionary of all 50 genes (each keeps an entry, in memory or not) and
        // about four states.
        var dictionary: [String: Int] = [:]
        for index in 0..<50 { dictionary["\(index)"] = index }
        let slots = dictionary.capacity * GeneStates.bytesPerSlot
        let states = GeneStates(budgetBytes: slots + 4 * 320)
        let ids = (0..<50).map { "G\(String(format: "%03d", (($0 * 37) % 50)))" }
        for id in ids { try states.state(for: id).processed.append(UInt64(id.dropFirst())!) }
        for id in ids.reversed() { try states.state(for: id).processed.append(1) }
        XCTAssertEqual(states.count, 50)
        XCTAssertGreaterThan(states.tally.restored, 40, "the second pass finds nearly every state in the file")
        XCTAssertLessThanOrEqual(states.tally.peakBytes, slots + 4 * 320 + 400, "the budget and the state at hand")
        var seen: [String] = []
        try states.forEachSorted { id, state in
            seen.append(id)
            XCTAssertEqual(state.index, UInt32(ids.firstIndex(of: id)!))
            XCTAssertEqual(state.processed, [UInt64(id.dropFirst())!, 1])
        }
        XCTAssertEqual(seen, ids.sorted())
    }

    func testGenesThatShowedFewerRowsLeaveFirst() throws {
        // Room for the dictionary and about eight states; a spill frees a quarter of it.
        var dictionary: [String: Int] = [:]
        for index in 0..<10 { dictionary["\(index)"] = index }
        let slots = dictionary.capacity * GeneStates.bytesPerSlot
        let states = GeneStates(budgetBytes: slots + 8 * 240)
        // MANY shows three rows, first; N0, N1, ... one each, after it.
        for _ in 0..<3 { _ = try states.state(for: "MANY") }
        var next = 0
        while states.tally.spilled == 0 {
            _ = try states.state(for: "N\(next)")
            next += 1
        }
        let spilled = states.tally.spilled
        XCTAssertTrue((1..<6).contains(spilled), "a few states left, not all: \(spilled)")
        // N0 ... N(spilled - 1) left, the least recent of those that showed one row; MANY, used
        // before all of them, stayed (ranking by last use alone sent it first).
        let restored = states.tally.restored
        XCTAssertEqual(try states.state(for: "MANY").rowsSeen, 4, "MANY counts its rows on")
        XCTAssertEqual(states.tally.restored, restored, "MANY stayed in memory")
        _ = try states.state(for: "N0")
        XCTAssertEqual(states.tally.restored, restored + 1, "N0 came back from the file")
        XCTAssertEqual(try states.state(for: "N0").rowsSeen, 3, "with its count")
    }

    func testTranscriptOwnersFindSpilledTranscripts() throws {
        let owners = TranscriptOwners(pendingCapacity: 3)
        for key in 0..<100 as Range<UInt64> { XCTAssertNil(try owners.owner(of: key &* 0x9E37_79B9_7F4A_7C15, registering: UInt32(key))) }
        for key in 0..<100 as Range<UInt64> { XCTAssertEqual(try owners.owner(of: key &* 0x9E37_79B9_7F4A_7C15, registering: 999), UInt32(key)) }
        XCTAssertEqual(owners.count, 100)
    }
}

private extension GeneState {
    /// The state as bytes (``GeneState/encode(into:)``), for comparing a state with its copy.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }
}
