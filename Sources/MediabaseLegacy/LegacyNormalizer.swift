import Foundation
import MediabaseBytes
import MediabaseModel

/// The normalizer's view of the legacy columns.
extension LegacyColumn {
    /// Fields that belong to the gene and are repeated in each of its transcript rows.
    static let geneLevel: [LegacyColumn] = [
        .pathways, .drugs, .expressionFreq, .cancerTypes, .features, .molecularFunctions,
        .cellularLocation, .uniprotIds, .ncbiIds, .refseqIds, .pdbIds, .altGeneIds,
        .sourceReferences, .pharmgkbPathways, .pharmgkbVariants, .evidenceQualityMetrics,
    ]
}

/// Turns the rows of the legacy table into the normalized core (docs/spec.md §4 and 4.1) and carries
/// every other table through.
///
/// Memory does not grow with the input: gene-level values are processed the first time a gene
/// shows them and recognised by hash afterwards, and the per-gene and per-transcript state beyond
/// the memory budget waits in temporary files (``GeneStates``, ``TranscriptOwners``).
package final class LegacyNormalizer: DumpSink {
    private let output: CoreOutput
    private let rejects: RejectLog
    /// Figures for the report, filled while reading.
    package private(set) var tally = NormalizationTally()

    private var inLegacy = false
    private var carried = false
    /// The tables carried through so far, by qualified name.
    private var carriedNames: Set<String> = []
    private var tableName = ""
    private var columnOf = [Int?](repeating: nil, count: LegacyColumn.allCases.count)
    private var unknownColumns: [(index: Int, name: String, isJSON: Bool)] = []
    private var fileColumnNames: [String] = []

    private let genes: GeneStates
    /// Transcript id hash → the number of its gene: finds rows that repeat a transcript.
    private let transcriptGenes: TranscriptOwners
    private var drugIds: [DrugIdentity: Int64] = [:]
    private var pathwayIds = Set<String>()
    /// The previous row's GO terms, whatever they were; ``goTermCache`` keeps values that parsed
    /// without a field reject, so a bad value is rejected again in each row apart from the
    /// previous one.
    private var previousGOTerms: (hash: ContentHash, terms: RowTails)?
    private var goTermCache: GOTermCache
    /// Large GO terms values the cache no longer holds, on disk (``GOTermStore``).
    private let goTermStore: GOTermStore
    /// The keys (``CoreTable/uniqueKey``) of the gene link rows written for the current row.
    /// Fields of one row that feed one link table (`drugs` and `pharmgkb_pathways` both give
    /// gene_pathways and gene_drug_interactions) are merged here, as are repeats within a field;
    /// only links that meet across rows are left to the writer's merge step.
    private var rowLinks = Set<LinkKey>()
    /// The non-empty gene-level values of the row at hand, as their tagged hashes.
    private var rowFieldKeys: [(column: LegacyColumn, key: UInt64)] = []
    /// Reused by the readers of `drugs`, `pharmgkb_pathways` and `source_references`, and of
    /// `drug_scores` beside `drugs`.
    private var tape = JSONTape()
    private var scoreTape = JSONTape()
    /// Reused by the readers of flat JSON values (coordinates, external ids).
    private var flatMembers: [FlatJSONMember] = []
    private var flatGroups: [FlatJSONGroup] = []
    /// The pairs of the external ids field being read (``externalIds(_:row:column:)``).
    private var idPairs = DistinctList<DatabaseId>()
    /// ``flatTranscriptCrossReferences(_:transcriptId:)``'s pairs, as ranges of the value's bytes.
    private var pairRanges: [(database: Range<Int>, id: Range<Int>)] = []
    /// ``plainTranscriptProducts(_:transcriptId:)``'s elements, as ranges of the value's bytes.
    private var elementRanges: [Range<Int>?] = []
    /// The GO ids of the `go_terms` value being read (``goTerms(_:row:)``).
    private var goIds = DistinctList<String>()
    /// The elements of the array literal being read (``arrayElements(_:row:column:)``).
    private var arrayValues = DistinctList<String>()
    /// Per column of the legacy table: non-empty fields, and how many of them went to the
    /// rejects file with their row, were repeats of a value already processed, or were rejected.
    private var nonEmpty: [Int] = []
    private var inRejectedRows: [Int] = []
    private var repeatsSkipped: [Int] = []
    private var fieldRejected: [Int] = []

    /// - Parameters:
    ///   - memory: what the gene states and the transcript → gene map may keep in memory before
    ///     they spill to temporary files (docs/spec.md §2, `--memory-limit`).
    ///   - scratchPath: the temporary files are made beside it (the output, so they land on the
    ///     disk the user chose; "": the temporary directory).
    package convenience init(output: CoreOutput, rejects: RejectLog, memory: MemoryBudget = MemoryBudget(), scratchPath: String = "") throws {
        try self.init(output: output, rejects: rejects, geneStateBytes: memory.geneStateBytes,
                      pendingTranscripts: memory.transcriptsInMemory,
                      goTermCacheBytes: memory.goTermCacheBytes,
                      scratchPath: scratchPath, spillBufferBytes: memory.spillBufferKilobytes * 1024)
    }

    /// - Parameters:
    ///   - geneStateBytes: how many bytes of gene states stay in memory; the others wait in a
    ///     temporary file (see ``GeneStates``).
    ///   - pendingTranscripts: how many transcripts are kept in memory before they go to a
    ///     temporary file (see ``TranscriptOwners``).
    ///   - goTermCacheBytes: the budget of the parsed GO terms kept for reuse (``GOTermCache``).
    ///   - scratchPath, spillBufferBytes: where the temporary files are made, and what each
    ///     gathers before a write.
    init(output: CoreOutput, rejects: RejectLog, geneStateBytes: Int, pendingTranscripts: Int,
         goTermCacheBytes: Int = 1 << 24, scratchPath: String = "", spillBufferBytes: Int = 1 << 20) throws {
        self.output = output
        self.rejects = rejects
        goTermCache = GOTermCache(budgetBytes: goTermCacheBytes)
        goTermStore = GOTermStore(scratchPath: scratchPath, bufferBytes: spillBufferBytes)
        genes = GeneStates(budgetBytes: geneStateBytes, scratchPath: scratchPath, spillBufferBytes: spillBufferBytes)
        transcriptGenes = TranscriptOwners(pendingCapacity: pendingTranscripts, scratchPath: scratchPath, spillBufferBytes: spillBufferBytes)
    }

    /// How the state fared against its budget: for the report.
    package var spillTally: SpillTally {
        SpillTally(geneStateBudgetBytes: genes.budgetBytes, geneStatePeakBytes: genes.tally.peakBytes,
                   geneStatesSpilled: genes.tally.spilled, geneStatesRestored: genes.tally.restored,
                   transcriptsInMemory: transcriptGenes.capacity, transcriptsSpilled: transcriptGenes.spilledCount)
    }

    // MARK: DumpSink

    package func beginTable(_ table: TableSchema) throws {
        tableName = table.qualifiedName
        if LegacyColumns.isLegacy(table) {
            inLegacy = true
            tally.legacyTables += 1
            columnOf = LegacyColumn.allCases.map { table.columnIndex($0.name) }
            fileColumnNames = table.columns.map(\.name)
            unknownColumns = table.columns.enumerated().compactMap { index, column in
                guard !LegacyColumns.names.contains(column.name) else { return nil }
                let type = column.type?.lowercased() ?? ""
                return (index, column.name, type == "jsonb" || type == "json")
            }
            tally.unknownColumns = unknownColumns.map(\.name)
            nonEmpty = Array(repeating: 0, count: table.columns.count)
            inRejectedRows = nonEmpty
            repeatsSkipped = nonEmpty
            fieldRejected = nonEmpty
            tally.missingColumns = LegacyColumn.allCases.filter { columnOf[$0.rawValue] == nil }.map(\.name)
        } else {
            inLegacy = false
            carried = true
            carriedNames.insert(table.qualifiedName)
            fileColumnNames = table.columns.map(\.name)
            try output.beginCarriedTable(table)
        }
    }

    package func row(_ row: RowBuffer) throws {
        if inLegacy {
            tally.legacyRows += 1
            try legacyRow(row)
        } else {
            try carriedRow(row)
        }
    }

    /// A row of a carried table goes through as it is, unless a field is not text PostgreSQL can
    /// hold (docs/spec.md §4.1): then the row is a reject, as in the legacy table.
    private func carriedRow(_ row: RowBuffer) throws {
        if let column = firstInvalidText(row) {
            // Not rejectRow: its field accounting is the legacy table's.
            return try rejects.reject(reason: "invalid_text", detail: column.detail, table: tableName, line: row.line, byteOffset: row.byteOffset, field: column.name, raw: row.rawBytes)
        }
        try output.carriedRow(row)
    }

    package func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
        if inLegacy {
            tally.legacyBytes += bytes
            // The end steps need the memory more than a later legacy table would need the values.
            goTermCache.removeAll()
            for (index, name) in fileColumnNames.enumerated() where nonEmpty[index] > 0 {
                var account = tally.fields[name] ?? FieldAccount()
                account.nonEmpty += nonEmpty[index]
                account.inRejectedRows += inRejectedRows[index]
                account.repeatsSkipped += repeatsSkipped[index]
                account.fieldRejects += fieldRejected[index]
                account.used = account.nonEmpty - account.inRejectedRows - account.repeatsSkipped - account.fieldRejects
                tally.fields[name] = account
            }
        } else if carried {
            try output.endCarriedTable()
            tally.carriedTables[table.qualifiedName] = rows
        }
        inLegacy = false
        carried = false
    }

    /// A carried table's key declared after its rows goes to the output; the legacy table's
    /// does not matter (its rows are normalized).
    package func primaryKeyDeclared(_ table: TableSchema) throws {
        guard carriedNames.contains(table.qualifiedName) else { return }
        try output.carriedPrimaryKey(table)
    }

    /// Writes the genes (sorted by id, so the order does not depend on the input's) once every
    /// row has been read; the output writes the transcripts, which it keeps in id order, meanwhile.
    package func finish() throws {
        try output.transcriptsComplete()
        try genes.forEachSorted { geneId, gene in
            if gene.conflict { tally.conflictingGenes += 1 }
            try output.insert(.genes, [
                .text(geneId), .optional(gene.symbol?.value), .null, .optional(gene.type?.value),
                .optional(gene.chromosome?.value), gene.start.map(SQLValue.integer) ?? .null,
                gene.end.map(SQLValue.integer) ?? .null, gene.strand.flatMap { Int64($0.value) }.map(SQLValue.integer) ?? .null, .null,
            ])
        }
        tally.genes = genes.count
        tally.transcripts = transcriptGenes.count
        tally.drugs = drugIds.count
        tally.pathways = pathwayIds.count
    }

    // MARK: Legacy rows

    @_lifetime(borrow row)
    @inline(__always) private func field(_ row: RowBuffer, _ which: LegacyColumn) -> Span<UInt8>? {
        guard let index = columnOf[which.rawValue] else { return nil }
        return row.bytes(index)
    }

    private func rejectRow(_ row: RowBuffer, reason: String, detail: String, field: String? = nil) throws {
        for index in 0..<row.count where !(row.bytes(index)?.isEmpty ?? true) { inRejectedRows[index] += 1 }
        try rejects.reject(reason: reason, detail: detail, table: tableName, line: row.line, byteOffset: row.byteOffset, field: field, raw: row.rawBytes)
    }

    /// The first field that is not valid UTF-8 without NUL bytes, with a reject detail.
    private func firstInvalidText(_ row: RowBuffer) -> (name: String, detail: String)? {
        for index in 0..<row.count {
            guard let bytes = row.bytes(index), let offset = UTF8Validation.firstInvalidOffset(bytes) else { continue }
            return (fileColumnNames[index], invalidTextDetail(index, offset))
        }
        return nil
    }

    private func invalidTextDetail(_ index: Int, _ offset: Int) -> String {
        "column \(fileColumnNames[index]) is not valid UTF-8 text without NUL bytes (byte \(offset) of the value)"
    }

    private func legacyRow(_ row: RowBuffer) throws {
        if let invalid = row.countNonEmptyFields(into: &nonEmpty) {
            return try rejectRow(row, reason: "invalid_text", detail: invalidTextDetail(invalid.field, invalid.offset), field: fileColumnNames[invalid.field])
        }
        guard let rawTranscript = field(row, .transcriptId), !Identifiers.trimmed(rawTranscript).isEmpty else {
            return try rejectRow(row, reason: "missing_transcript_id", detail: "the row has no transcript_id")
        }
        guard let rawGene = field(row, .geneId), !Identifiers.trimmed(rawGene).isEmpty else {
            return try rejectRow(row, reason: "missing_gene_id", detail: "the row has no gene_id, so its transcript cannot be linked to a gene")
        }
        if Identifiers.hasEnsemblVersion(rawTranscript) { tally.versionedIds += 1 }
        let transcriptId = Identifiers.normalizedEnsemblId(rawTranscript)
        let geneId = Identifiers.normalizedEnsemblId(rawGene)
        let gene = try genes.state(for: geneId)
        // The gene states may have grown into what the GO-term cache borrowed of their budget.
        if !goTermCache.fits(beside: genes.unusedBytes) { goTermCache.removeAll() }
        var firstTime = true
        if let owner = try transcriptGenes.owner(of: ContentHash(transcriptId).low, registering: gene.index) {
            firstTime = false
            tally.mergedTranscriptRows += 1
            if owner != gene.index { tally.transcriptsOnTwoGenes += 1 }
            for table in [CoreTable.transcriptGoTerms, .transcriptProducts, .transcriptCrossReferences] {
                try output.markMayHoldDuplicates(table, id: transcriptId)
            }
        }

        // Coordinates: the transcript's span, and the gene's as min start .. max end.
        var start: Int64?
        var end: Int64?
        var strand: String?
        if let bytes = field(row, .coordinates) {
            if FlatJSON.scanObject(bytes, arrays: false, into: &flatMembers) {
                // The last member of a name counts, as in the tree's subscript.
                var startMember: FlatJSONMember?
                var endMember: FlatJSONMember?
                var strandMember: FlatJSONMember?
                for member in flatMembers {
                    let key = bytes.extracting(member.key)
                    if key.equals("start") {
                        startMember = member
                    } else if key.equals("end") {
                        endMember = member
                    } else if key.equals("strand") {
                        strandMember = member
                    }
                }
                start = startMember.flatMap { Self.coordinate(bytes.extracting($0.value), kind: $0.kind) }
                end = endMember.flatMap { Self.coordinate(bytes.extracting($0.value), kind: $0.kind) }
                if let member = strandMember {
                    let text = String(utf8: bytes.extracting(member.value))
                    strand = member.kind == .number ? text : text == "+" ? "1" : text == "-" ? "-1" : text
                }
            } else if let coordinates = try? JSON.parse(bytes) {
                start = coordinates["start"]?.doubleValue.flatMap { Int64(exactly: $0) }
                end = coordinates["end"]?.doubleValue.flatMap { Int64(exactly: $0) }
                if case let .number(text)? = coordinates["strand"] { strand = text }
                if case let .string(text)? = coordinates["strand"] { strand = text == "+" ? "1" : text == "-" ? "-1" : text }
            }
        }
        if let start { gene.start = min(gene.start ?? start, start) }
        if let end { gene.end = max(gene.end ?? end, end) }
        var disagree = false
        if let symbol = field(row, .geneSymbol) { disagree = GeneState.offer(&gene.symbol, value: Identifiers.trimmedText(symbol), transcriptId: transcriptId) || disagree }
        if let type = field(row, .geneType) { disagree = GeneState.offer(&gene.type, value: Identifiers.trimmedText(type), transcriptId: transcriptId) || disagree }
        if let chromosome = field(row, .chromosome) { disagree = GeneState.offer(&gene.chromosome, value: Identifiers.trimmedText(chromosome), transcriptId: transcriptId) || disagree }
        if let strand { disagree = GeneState.offer(&gene.strand, value: strand, transcriptId: transcriptId) || disagree }
        if disagree { gene.conflict = true }

        if firstTime {
            var foldChange = SQLValue.real(1.0)
            if let text = field(row, .expressionFoldChange), let value = Double(String(utf8: Identifiers.trimmed(text))) {
                foldChange = .real(value)
            }
            try output.insert(.transcripts, [
                .text(transcriptId), .text(geneId), .null, .null, .null,
                start.map(SQLValue.integer) ?? .null, end.map(SQLValue.integer) ?? .null,
                strand.flatMap { Int64($0) }.map(SQLValue.integer) ?? .null, foldChange,
            ])
        }
        try transcriptFields(row, transcriptId: transcriptId, gene: gene, geneId: geneId)
        let fieldsSeenBefore = gene.fieldsSeen
        rowLinks.removeAll(keepingCapacity: true)
        // The row's gene-level values as the tagged hashes they are remembered under, and the
        // row's signature: the hash of them all, in column order. The rows of a gene mostly
        // repeat one set of values, which the signature tells at once. The values' own hashes
        // are needed only for a set not seen before: those of a gene's first set wait in the
        // spill file, so that a state in memory keeps one hash for them; a gene whose rows show
        // a second set (they disagree, which is rare) keeps them in memory from then on.
        rowFieldKeys.removeAll(keepingCapacity: true)
        var signature = GeneState.signatureSeed
        for which in LegacyColumn.geneLevel {
            guard let bytes = field(row, which), !bytes.isEmpty else { continue }
            var hash = ContentHash(bytes)
            if which == .drugs, let scores = field(row, .drugScores) {
                let scoresHash = ContentHash(scores)
                hash = ContentHash(low: hash.low ^ scoresHash.low &* 31, high: hash.high ^ scoresHash.high)
            }
            let key = GeneState.key(which, hash)
            rowFieldKeys.append((which, key))
            signature = GeneState.signature(signature, adding: key)
        }
        let rowKey = GeneState.rowKey(signature)
        if gene.processed.contains(rowKey) {
            tally.identicalValuesSkipped += rowFieldKeys.count
            for (which, _) in rowFieldKeys { repeatsSkipped[columnOf[which.rawValue]!] += 1 }
            return
        }
        let firstSet = gene.fieldKeysOffset == GeneState.noFieldKeys
        if !firstSet { try genes.moveFieldKeysIntoMemory(of: gene) }
        // The first set's hashes, for the file.
        var known: [UInt64] = []
        for (which, key) in rowFieldKeys {
            if firstSet ? known.contains(key) : gene.processed.contains(key) {
                tally.identicalValuesSkipped += 1
                repeatsSkipped[columnOf[which.rawValue]!] += 1
                continue
            }
            let bit = UInt32(1) << UInt32(which.rawValue)
            if gene.fieldsSeen & bit != 0 {
                gene.conflict = true
                for table in which.tables { try output.markMayHoldDuplicates(table, id: geneId) }
            }
            // Two different fields feeding one link table of a gene (`pathways` and PharmGKB data
            // both give gene_pathways) may give the same link twice. Within this row `rowLinks`
            // merges them; a field processed for an earlier row leaves it to the merge step.
            for other in LegacyColumn.sharingLinkTables[which.rawValue] where fieldsSeenBefore & (UInt32(1) << UInt32(other.field.rawValue)) != 0 {
                for table in other.tables { try output.markMayHoldDuplicates(table, id: geneId) }
            }
            gene.fieldsSeen |= bit
            if firstSet { known.append(key) } else { gene.remember(key) }
            try geneField(which, field(row, which)!, row: row, geneId: geneId)
        }
        if firstSet && !known.isEmpty { try genes.keepFieldKeys(known, of: gene) }
        gene.remember(rowKey)
    }

    // MARK: Transcript-level fields

    private func transcriptFields(_ row: RowBuffer, transcriptId: String, gene: GeneState, geneId: String) throws {
        if let bytes = field(row, .goTerms), !bytes.isEmpty {
            let hash = ContentHash(bytes)
            let terms: RowTails
            /// The rows just parsed (a cached value keeps only their encoding).
            var parsed: [[SQLValue]]?
            if let previous = previousGOTerms, previous.hash == hash {
                terms = previous.terms
            } else if let cached = goTermCache.terms(for: hash) {
                terms = cached
            } else if let stored = try goTermStore.terms(for: hash) {
                terms = stored
                goTermCache.insert(stored, for: hash, unused: genes.unusedBytes)
            } else if let encoded = flatGOTerms(bytes) {
                // No reject can come of the usual shape.
                terms = encoded
                goTermCache.insert(terms, for: hash, unused: genes.unusedBytes)
                try goTermStore.keep(terms, for: hash)
            } else {
                let rejectsBefore = tally.fieldRejects
                let rows = try goTerms(bytes, row: row)
                parsed = rows
                terms = RowTails(rows)
                if tally.fieldRejects == rejectsBefore {
                    terms.compact()
                    goTermCache.insert(terms, for: hash, unused: genes.unusedBytes)
                    try goTermStore.keep(terms, for: hash)
                }
            }
            previousGOTerms = (hash, terms)
            // The most numerous rows: built once per GO value, not per transcript.
            try output.insert(.transcriptGoTerms, first: .text(transcriptId), tails: terms)
            // The gene's GO terms, once per distinct value, for the GO view's gene counts.
            let key = GeneState.key(.goTerms, hash)
            if !gene.processed.contains(key) {
                gene.remember(key)
                for term in parsed ?? terms.rows { try output.insert(.geneGoTermsWork, [.text(geneId), term[0], term[1], term[2]]) }
            }
        }
        if let bytes = field(row, .productType), try !plainTranscriptProducts(bytes, transcriptId: transcriptId) {
            for product in try arrayElements(bytes, row: row, column: .productType) {
                try output.insert(.transcriptProducts, [.text(transcriptId), .text(product)])
            }
        }
        if let bytes = field(row, .altTranscriptIds), !bytes.isEmpty, try !flatTranscriptCrossReferences(bytes, transcriptId: transcriptId) {
            try externalIds(bytes, row: row, column: .altTranscriptIds)
            for pair in idPairs.elements {
                try output.insert(.transcriptCrossReferences, .text(transcriptId), .text(pair.database), .text(pair.id))
            }
        }
        for column in unknownColumns {
            guard let bytes = row.bytes(column.index), !bytes.isEmpty else { continue }
            var json: [UInt8] = []
            if column.isJSON, (try? JSON.validate(bytes)) != nil {
                json.append(bytes)
            } else {
                JSON.appendString(bytes, to: &json)
            }
            try output.insert(.transcriptExtras, .text(transcriptId), .text(column.name), .text(String(decoding: json, as: UTF8.self)))
        }
    }

    /// The rows ``goTerms(_:row:)`` gives for a value of the usual shape (``FlatJSON``'s object of
    /// flat objects, whose strings are ASCII without escapes), encoded straight from the value's
    /// bytes as a compacted ``RowTails`` (the encoding ``RowTails/compact()`` keeps), without a
    /// String or a row of values: a GO value missing from the cache is read again for most rows
    /// of a large lean input, whose genes' values outgrow the cache. GO ids are told apart byte
    /// for byte, as their Strings would be. nil, for the general path, for any other shape and for
    /// more ids than ``flatPairLimit``.
    private func flatGOTerms(_ bytes: Span<UInt8>) -> RowTails? {
        guard FlatJSON.scanObjectOfObjects(bytes, into: &flatMembers, groups: &flatGroups), flatGroups.count <= Self.flatPairLimit else { return nil }
        // At most four fields a term, each a length word and at most the value's bytes.
        var encoded: [UInt8] = []
        encoded.reserveCapacity(bytes.count + 32 * flatGroups.count)
        var count = 0
        pairRanges.removeAll(keepingCapacity: true)
        let members = flatMembers
        for group in flatGroups {
            let goId = Identifiers.trimmedRange(group.key, of: bytes)
            guard !goId.isEmpty, !pairRanges.contains(where: { bytes.extracting($0.id).elementsEqual(bytes.extracting(goId)) }) else { continue }
            pairRanges.append((goId, goId))
            let term = members[group.members]
            RowBatch.appendField(bytes.extracting(goId), to: &encoded)
            Self.appendText(term, bytes, Self.termKeys, to: &encoded)
            Self.appendText(term, bytes, Self.categoryKeys, to: &encoded)
            Self.appendText(term, bytes, Self.evidenceKeys, to: &encoded)
            count += 1
        }
        return RowTails(encoded: encoded, count: count, width: 4)
    }

    /// Appends to `encoded` the text ``text(_:_:_:)`` reads from the last of `members` named each
    /// of `keys` in turn, the first that has one, as its bytes; NULL when none has.
    private static func appendText(_ members: ArraySlice<FlatJSONMember>, _ bytes: Span<UInt8>, _ keys: [StaticString], to encoded: inout [UInt8]) {
        for key in keys {
            var index = members.endIndex
            while index > members.startIndex {
                index -= 1
                let member = members[index]
                guard member.key.count == key.utf8CodeUnitCount, bytes.extracting(member.key).equals(key) else { continue }
                let text = Identifiers.trimmedRange(member.value, of: bytes)
                // The last member of the name counts, even when it is empty.
                if text.isEmpty { break }
                return RowBatch.appendField(bytes.extracting(text), to: &encoded)
            }
        }
        RowBatch.appendNull(to: &encoded)
    }

    /// The members a GO term's name, category and evidence code are read from, first found first.
    private static let termKeys: [StaticString] = ["term", "name"]
    private static let categoryKeys: [StaticString] = ["aspect", "category", "namespace"]
    private static let evidenceKeys: [StaticString] = ["evidence", "evidence_code"]

    /// `{"GO:0006915": {"term": …, "evidence": …, "aspect": …}}` → (go_id, term, category, evidence).
    private func goTerms(_ bytes: Span<UInt8>, row: RowBuffer) throws -> [[SQLValue]] {
        // The usual shape without a tree (see ``externalIds(_:row:column:)``).
        if FlatJSON.scanObjectOfObjects(bytes, into: &flatMembers, groups: &flatGroups) {
            // As the tree path's `Set<String>`, without a set for the few ids of a usual value.
            goIds.removeAll()
            var terms: [[SQLValue]] = []
            for group in flatGroups {
                let goId = Identifiers.trimmedText(bytes.extracting(group.key))
                guard !goId.isEmpty else { continue }
                let distinct = goIds.count
                goIds.append(goId)
                guard goIds.count > distinct else { continue }
                let term = flatMembers[group.members]
                terms.append([
                    .text(goId), .optional(Self.text(term, bytes, "term") ?? Self.text(term, bytes, "name")),
                    .optional(Self.text(term, bytes, "aspect") ?? Self.text(term, bytes, "category") ?? Self.text(term, bytes, "namespace")),
                    .optional(Self.text(term, bytes, "evidence") ?? Self.text(term, bytes, "evidence_code")),
                ])
            }
            return terms
        }
        guard let value = try parsedJSON(bytes, row: row, column: .goTerms) else { return [] }
        guard case let .object(members) = value else {
            if value != .null { try fieldReject(row, .goTerms, "go_terms is a JSON \(value.type.rawValue), not an object keyed by GO id") }
            return []
        }
        var seen = Set<String>()
        var terms: [[SQLValue]] = []
        for (key, term) in members {
            let goId = key.trimmingWhitespace
            guard !goId.isEmpty, seen.insert(goId).inserted else { continue }
            terms.append([
                .text(goId), .optional(DrugFieldSplitter.text(term, "term", "name")),
                .optional(DrugFieldSplitter.text(term, "aspect", "category", "namespace")),
                .optional(DrugFieldSplitter.text(term, "evidence", "evidence_code")),
            ])
        }
        return terms
    }

    // MARK: Gene-level fields

    private func geneField(_ which: LegacyColumn, _ bytes: Span<UInt8>, row: RowBuffer, geneId: String) throws {
        let gene = SQLValue.text(geneId)
        switch which {
        case .pathways:
            for text in try arrayElements(bytes, row: row, column: .pathways) {
                guard let pathway = PathwayString.parse(text) else { continue }
                try addPathway(id: pathway.id, name: pathway.name, source: pathway.source, type: nil)
                try insertLink(.genePathways, gene, .text(pathway.id), .text("pathways"))
            }
        case .drugs:
            // The usual shapes from the bytes; the tree for the rest, with its rejects.
            let split: DrugSplit
            if tape.read(bytes), let fromTape = DrugFieldSplitter.split(tape, bytes) {
                split = fromTape
            } else {
                guard let value = try parsedJSON(bytes, row: row, column: .drugs) else { return }
                split = DrugFieldSplitter.split(value)
            }
            var scores: [String: Double] = [:]
            if let scoreBytes = field(row, .drugScores) {
                if scoreTape.read(scoreBytes) {
                    if scoreTape.nodes[0].type == .object {
                        var child = 1
                        while child < scoreTape.nodes[0].next {
                            let value = child + 1
                            scores[scoreTape.string(child, in: scoreBytes).trimmingWhitespace] = DrugFieldSplitter.doubleValue(scoreTape, value, scoreBytes)
                            child = scoreTape.nodes[value].next
                        }
                    }
                } else if let parsed = try parsedJSON(scoreBytes, row: row, column: .drugScores) {
                    for (key, score) in parsed.objectMembers ?? [] { scores[key.trimmingWhitespace] = score.doubleValue }
                }
            }
            try emitSplit(split, gene: gene, scores: scores, row: row, column: .drugs)
            let used = Set(split.links.compactMap(\.key))
            let unmatched = scores.keys.filter { !used.contains($0) }.sorted()
            if !unmatched.isEmpty {
                let object = JSONValue.object(unmatched.map { ($0, JSONValue.number(Self.numberText(scores[$0]!))) })
                try output.insert(.geneExtras, gene, .text("drug_scores"), .text(object.serialized()))
            }
        case .pharmgkbPathways:
            var split = DrugSplit()
            if tape.read(bytes) {
                DrugFieldSplitter.splitPathways(tape, 0, bytes, into: &split)
            } else {
                guard let value = try parsedJSON(bytes, row: row, column: .pharmgkbPathways) else { return }
                DrugFieldSplitter.splitPathways(value, into: &split)
            }
            try emitSplit(split, gene: gene, scores: [:], row: row, column: .pharmgkbPathways)
        case .molecularFunctions, .cellularLocation:
            let type = which == .molecularFunctions ? "molecular_function" : "cellular_location"
            for value in try arrayElements(bytes, row: row, column: which) {
                try insertLink(.geneAnnotations, gene, .text(type), .text(value))
            }
        case .uniprotIds, .ncbiIds, .refseqIds, .pdbIds:
            let database = which == .uniprotIds ? "UniProt" : which == .ncbiIds ? "NCBI" : which == .refseqIds ? "RefSeq" : "PDB"
            for value in try arrayElements(bytes, row: row, column: which) {
                try insertLink(.geneCrossReferences, gene, .text(database), .text(value))
            }
        case .altGeneIds:
            try externalIds(bytes, row: row, column: .altGeneIds)
            for pair in idPairs.elements {
                try insertLink(.geneCrossReferences, gene, .text(pair.database), .text(pair.id))
            }
        case .sourceReferences:
            try publications(bytes, row: row, gene: gene)
        case .cancerTypes:
            var json: [UInt8] = []
            do {
                try ArrayLiteral.appendJSON(bytes, to: &json)
            } catch let error as DecodeError {
                return try fieldReject(row, which, "cancer_types is not an array literal: \(error.expected) at byte \(error.offset)")
            }
            try output.insert(.geneExtras, gene, .text(which.name), .text(String(decoding: json, as: UTF8.self)))
        case .expressionFreq, .features, .pharmgkbVariants, .evidenceQualityMetrics:
            guard try validJSON(bytes, row: row, column: which) else { return }
            try output.insert(.geneExtras, gene, .text(which.name), .text(String(utf8: bytes)))
        default:
            break
        }
    }

    private func emitSplit(_ split: DrugSplit, gene: SQLValue, scores: [String: Double], row: RowBuffer, column: LegacyColumn) throws {
        for problem in split.problems { try fieldReject(row, column, problem) }
        for pathway in split.pathways {
            try addPathway(id: pathway.id, name: pathway.name, source: "PharmGKB", type: pathway.type)
            try insertLink(.genePathways, gene, .text(pathway.id), .text(column == .drugs ? "drugs.pharmgkb_data" : "pharmgkb_pathways"))
        }
        for link in split.links {
            // Names that fold to one drug (`aspirin`, `Aspirin`) give one link (insertLink).
            let drugId = try drugInteractionId(link.drug)
            let pmids = link.pmids.isEmpty ? SQLValue.null : .text(Self.jsonArray(link.pmids))
            try insertLink(.geneDrugInteractions, [
                gene, .integer(drugId), .text(link.interactionType), .optional(link.evidenceType),
                link.evidenceScore.map(SQLValue.real) ?? .null, link.key.flatMap { scores[$0] }.map(SQLValue.real) ?? .null,
                .optional(link.pathwayId), pmids,
            ])
        }
        for extra in split.extras {
            try output.insert(.geneExtras, gene, .text(extra.field), .text(extra.json))
        }
    }

    /// The id of a drug, registering it on first sight. Drugs are the same within a source when
    /// their source ids match or, without ids, their case-folded names do.
    private func drugInteractionId(_ drug: DrugRecord) throws -> Int64 {
        let identity = DrugIdentity(source: drug.source, sourceId: drug.sourceId, foldedName: drug.sourceId == nil ? (drug.name ?? "").lowercased() : "")
        if let id = drugIds[identity] { return id }
        let id = Int64(drugIds.count + 1)
        drugIds[identity] = id
        tally.drugsBySource[drug.source, default: 0] += 1
        try output.insert(.drugInteractions, [
            .integer(id), .optional(drug.name), .text(drug.source), .optional(drug.sourceId), .optional(drug.mechanism),
            .optional(drug.actionType), .optional(drug.targetType), .optional(drug.indication),
            drug.maxPhase.map(SQLValue.real) ?? .null, .optional(drug.attributesJSON),
        ])
        return id
    }

    private func addPathway(id: String, name: String?, source: String, type: String?) throws {
        guard pathwayIds.insert(id).inserted else { return }
        tally.pathwaysBySource[source, default: 0] += 1
        try output.insert(.pathways, [.text(id), .optional(name), .text(source), .optional(type)])
    }

    /// Every item of every `source_references` category becomes a publication row.
    private func publications(_ bytes: Span<UInt8>, row: RowBuffer, gene: SQLValue) throws {
        if tape.read(bytes) { return try publicationsFromTape(bytes, row: row, gene: gene) }
        guard let value = try parsedJSON(bytes, row: row, column: .sourceReferences) else { return }
        guard case let .object(categories) = value else {
            if value != .null { try fieldReject(row, .sourceReferences, "source_references is a JSON \(value.type.rawValue), not an object of categories") }
            return
        }
        for (category, items) in categories {
            for item in items.arrayValue ?? [items] {
                let pmid: String?
                switch item {
                case .object: pmid = DrugFieldSplitter.text(item, "pmid", "PMID", "pubmed_id")
                case let .string(text): pmid = text.trimmingWhitespace
                case let .number(number): pmid = number
                default: pmid = nil
                }
                guard let pmid, !pmid.isEmpty else {
                    if item != .null { tally.publicationItemsWithoutPmid += 1 }
                    continue
                }
                try publication(gene, pmid: pmid, category: category, evidenceType: DrugFieldSplitter.text(item, "evidence_type"),
                                year: DrugFieldSplitter.text(item, "year"), citationCount: DrugFieldSplitter.text(item, "citation_count"),
                                sourceDb: DrugFieldSplitter.text(item, "source_db"), row: row)
            }
        }
    }

    /// ``publications(_:row:gene:)`` from ``tape``, which holds the value: the same items and
    /// rejects, step by step.
    private func publicationsFromTape(_ bytes: Span<UInt8>, row: RowBuffer, gene: SQLValue) throws {
        let root = tape.nodes[0]
        guard root.type == .object else {
            if root.type != .null { try fieldReject(row, .sourceReferences, "source_references is a JSON \(root.type.rawValue), not an object of categories") }
            return
        }
        var child = 1
        while child < root.next {
            let items = child + 1
            defer { child = tape.nodes[items].next }
            let category = tape.string(child, in: bytes)
            let isArray = tape.nodes[items].type == .array
            var item = isArray ? items + 1 : items
            let end = isArray ? tape.nodes[items].next : items + 1
            while item < end {
                defer { item = tape.nodes[item].next }
                let pmid: String?
                switch tape.nodes[item].type {
                case .object:
                    pmid = DrugFieldSplitter.text(tape, item, "pmid", bytes) ?? DrugFieldSplitter.text(tape, item, "PMID", bytes)
                        ?? DrugFieldSplitter.text(tape, item, "pubmed_id", bytes)
                case .string: pmid = tape.string(item, in: bytes).trimmingWhitespace
                case .number: pmid = tape.string(item, in: bytes)
                default: pmid = nil
                }
                guard let pmid, !pmid.isEmpty else {
                    if tape.nodes[item].type != .null { tally.publicationItemsWithoutPmid += 1 }
                    continue
                }
                try publication(gene, pmid: pmid, category: category, evidenceType: DrugFieldSplitter.text(tape, item, "evidence_type", bytes),
                                year: DrugFieldSplitter.text(tape, item, "year", bytes),
                                citationCount: DrugFieldSplitter.text(tape, item, "citation_count", bytes),
                                sourceDb: DrugFieldSplitter.text(tape, item, "source_db", bytes), row: row)
            }
        }
    }

    private func publication(_ gene: SQLValue, pmid: String, category: String, evidenceType: String?, year: String?, citationCount: String?,
                             sourceDb: String?, row: RowBuffer) throws {
        try insertLink(.genePublications, [
            gene, .text(pmid), .text(category), .optional(evidenceType),
            try integerValue(year, row: row, column: .sourceReferences, what: "year"),
            try integerValue(citationCount, row: row, column: .sourceReferences, what: "citation_count"),
            .optional(sourceDb),
        ])
    }

    /// ``insertLink(_:_:)`` for a table of three columns, without an array.
    private func insertLink(_ table: CoreTable, _ first: SQLValue, _ second: SQLValue, _ third: SQLValue) throws {
        let columns = table.keyColumnIndexes
        func part(_ position: Int) -> SQLValue {
            guard position < columns.count else { return .null }
            let value = columns[position] == 0 ? first : columns[position] == 1 ? second : third
            return value == .null ? .text("") : value
        }
        guard rowLinks.insert(LinkKey(table: table, first: part(1), second: part(2), third: part(3))).inserted else { return }
        try output.insert(table, first, second, third)
    }

    /// Writes a gene link row unless the current row already gave one with the same key.
    private func insertLink(_ table: CoreTable, _ values: [SQLValue]) throws {
        // Every link of a row is the row's gene's: the key's other columns tell them apart
        // (at most three; NULL as '', as `coalesce(pathway_id, '')` has it).
        let columns = table.keyColumnIndexes
        func part(_ position: Int) -> SQLValue {
            guard position < columns.count else { return .null }
            let value = values[columns[position]]
            return value == .null ? .text("") : value
        }
        guard rowLinks.insert(LinkKey(table: table, first: part(1), second: part(2), third: part(3))).inserted else { return }
        try output.insert(table, values)
    }

    // MARK: Decoding helpers

    private func fieldReject(_ row: RowBuffer, _ column: LegacyColumn, _ detail: String) throws {
        tally.fieldRejects += 1
        if let index = columnOf[column.rawValue] { fieldRejected[index] += 1 }
        try rejects.reject(reason: "field_\(column.name)", detail: detail, table: tableName, line: row.line, byteOffset: row.byteOffset, field: column.name, raw: row.rawBytes)
    }

    /// The value of an integer column from JSON text (`2001`, `"2001"`, `2001.0`). Anything else
    /// would be text in an INTEGER column, which PostgreSQL refuses: a field-level reject, NULL.
    private func integerValue(_ text: String?, row: RowBuffer, column: LegacyColumn, what: String) throws -> SQLValue {
        guard let text, !text.isEmpty else { return .null }
        if let value = Int64(text) ?? Double(text).flatMap({ Int64(exactly: $0) }) { return .integer(value) }
        try fieldReject(row, column, "\(what) \(text) in \(column.name) is not an integer")
        return .null
    }

    private func parsedJSON(_ bytes: Span<UInt8>, row: RowBuffer, column: LegacyColumn) throws -> JSONValue? {
        guard try noNulEscape(bytes, row: row, column: column) else { return nil }
        do {
            return try JSON.parse(bytes)
        } catch let error as DecodeError {
            try fieldReject(row, column, Self.invalidJSONDetail(column, error))
            return nil
        }
    }

    /// Whether the value is JSON PostgreSQL can store, as ``parsedJSON(_:row:column:)`` decides
    /// and with its rejects, without building the tree: `validate` finds the same errors as
    /// `parse` (JSONTests).
    private func validJSON(_ bytes: Span<UInt8>, row: RowBuffer, column: LegacyColumn) throws -> Bool {
        guard try noNulEscape(bytes, row: row, column: column) else { return false }
        do {
            _ = try JSON.validate(bytes)
            return true
        } catch let error as DecodeError {
            try fieldReject(row, column, Self.invalidJSONDetail(column, error))
            return false
        }
    }

    /// `\u0000` is valid JSON but decodes to NUL, which neither PostgreSQL text nor jsonb can hold.
    private func noNulEscape(_ bytes: Span<UInt8>, row: RowBuffer, column: LegacyColumn) throws -> Bool {
        guard let offset = Self.nulEscapeOffset(bytes) else { return true }
        try fieldReject(row, column, "\(column.name) holds the JSON escape \\u0000 (NUL) at byte \(offset), which PostgreSQL text and jsonb cannot store")
        return false
    }

    private static func invalidJSONDetail(_ column: LegacyColumn, _ error: DecodeError) -> String {
        "\(column.name) is not valid JSON: expected \(error.expected) at byte \(error.offset)"
    }

    /// The non-NULL elements of a text[] value, trimmed, empty ones dropped, duplicates removed
    /// (first occurrence kept).
    private func arrayElements(_ bytes: Span<UInt8>, row: RowBuffer, column: LegacyColumn) throws -> [String] {
        // One list for every call keeps its storage: the caller is done with the previous
        // result before it asks again.
        arrayValues.removeAll()
        do {
            try ArrayLiteral.forEachElement(bytes) { element in
                guard let element else { return }
                let text = Identifiers.trimmedText(element)
                if !text.isEmpty { self.arrayValues.append(text) }
            }
        } catch let error as DecodeError {
            try fieldReject(row, column, "\(column.name) is not an array literal: expected \(error.expected) at byte \(error.offset)")
            return []
        }
        return arrayValues.elements
    }

    /// `{"ensembl": "ENSG…", "hgnc": ["HGNC:11998"]}` → distinct (database, id) pairs in
    /// ``idPairs``; Ensembl ids are normalized, others only trimmed.
    private func externalIds(_ bytes: Span<UInt8>, row: RowBuffer, column: LegacyColumn) throws {
        idPairs.removeAll()
        // The usual shape without a tree: its strings are printable ASCII, so trimming spaces
        // as `normalizedEnsemblId` does is what `trimmingWhitespace` does to them.
        if FlatJSON.scanObject(bytes, arrays: true, into: &flatMembers) {
            var previousKey = 0..<0
            var database = ""
            for member in flatMembers {
                if member.key != previousKey {
                    previousKey = member.key
                    database = Identifiers.trimmedText(bytes.extracting(member.key))
                }
                let normalized = Identifiers.normalizedEnsemblId(bytes.extracting(member.value))
                if !normalized.isEmpty { idPairs.append(DatabaseId(database: database, id: normalized)) }
            }
            return
        }
        guard let value = try parsedJSON(bytes, row: row, column: column) else { return }
        guard case let .object(members) = value else {
            if value != .null { try fieldReject(row, column, "\(column.name) is a JSON \(value.type.rawValue), not an object keyed by database") }
            return
        }
        for (database, ids) in members {
            let database = database.trimmingWhitespace
            for id in DrugFieldSplitter.identifiers(ids) {
                let normalized = Identifiers.normalizedEnsemblId(id)
                if !normalized.isEmpty { idPairs.append(DatabaseId(database: database, id: normalized)) }
            }
        }
    }

    /// Writes the transcript's cross-references from `alt_transcript_ids` bytes of the usual shape
    /// straight from those bytes: the rows ``externalIds(_:row:column:)`` gives, in its order.
    /// ``FlatJSON``'s strings are ASCII without escapes, so their bytes are their text and compare
    /// as the Strings do. Writes nothing and returns false for any other value, for an id that the
    /// normalization changes (lower case), and for more ids than ``flatPairLimit`` (the pairs are
    /// told apart by comparing each with those before it).
    private func flatTranscriptCrossReferences(_ bytes: Span<UInt8>, transcriptId: String) throws -> Bool {
        guard FlatJSON.scanObject(bytes, arrays: true, into: &flatMembers), flatMembers.count <= Self.flatPairLimit else { return false }
        pairRanges.removeAll(keepingCapacity: true)
        var previousKey = 0..<0
        var database = 0..<0
        for member in flatMembers {
            if member.key != previousKey {
                previousKey = member.key
                database = Identifiers.trimmedRange(member.key, of: bytes)
            }
            guard let found = Identifiers.normalizedEnsemblIdRange(bytes.extracting(member.value)) else { return false }
            let id = (member.value.lowerBound + found.lowerBound)..<(member.value.lowerBound + found.upperBound)
            guard !id.isEmpty else { continue }
            let seen = pairRanges.contains { pair in
                bytes.extracting(pair.id).elementsEqual(bytes.extracting(id)) && bytes.extracting(pair.database).elementsEqual(bytes.extracting(database))
            }
            if !seen { pairRanges.append((database, id)) }
        }
        for pair in pairRanges {
            try output.insert(.transcriptCrossReferences, transcriptId, utf8: bytes.extracting(pair.database), utf8: bytes.extracting(pair.id))
        }
        return true
    }

    /// Writes the transcript's products from a `product_type` literal in the plain ASCII form
    /// (``ArrayLiteral/plainASCIIElements(_:into:)``) straight from its bytes: the rows
    /// ``arrayElements(_:row:column:)`` gives, in its order (ASCII bytes compare as the Strings
    /// do). Writes nothing and returns false for a literal in any other form or with more elements
    /// than ``flatPairLimit``.
    private func plainTranscriptProducts(_ bytes: Span<UInt8>, transcriptId: String) throws -> Bool {
        // Taken out while it is rewritten in place: one copy of the array, not one per write.
        var elements: [Range<Int>?] = []
        swap(&elements, &elementRanges)
        defer { swap(&elements, &elementRanges) }
        guard ArrayLiteral.plainASCIIElements(bytes, into: &elements), elements.count <= Self.flatPairLimit else { return false }
        var kept = 0
        for index in elements.indices {
            guard let element = elements[index] else { continue }
            let text = Identifiers.trimmedRange(element, of: bytes)
            guard !text.isEmpty else { continue }
            var seen = false
            for earlier in 0..<kept where bytes.extracting(elements[earlier]!).elementsEqual(bytes.extracting(text)) {
                seen = true
                break
            }
            if seen { continue }
            elements[kept] = text
            kept += 1
        }
        for index in 0..<kept { try output.insert(.transcriptProducts, transcriptId, utf8: bytes.extracting(elements[index]!)) }
        return true
    }

    /// Ids or elements of one value that ``flatTranscriptCrossReferences(_:transcriptId:)`` and
    /// ``plainTranscriptProducts(_:transcriptId:)`` compare pairwise at most; ``DistinctList``
    /// hashes beyond as many.
    static let flatPairLimit = 16

    /// The text of the last member named `key`, as ``DrugFieldSplitter/text(_:_:)`` reads it from
    /// the tree: a string trimmed (nil when empty), a number as written.
    static func text(_ members: ArraySlice<FlatJSONMember>, _ bytes: Span<UInt8>, _ key: StaticString) -> String? {
        guard let member = members.last(where: { bytes.extracting($0.key).equals(key) }) else { return nil }
        let text = Identifiers.trimmedText(bytes.extracting(member.value))
        return text.isEmpty ? nil : text
    }

    /// A coordinate from a member of a flat object, as `doubleValue` then `Int64(exactly:)` read
    /// it from the tree: integers of up to 15 digits (exact as a `Double`) directly.
    static func coordinate(_ text: Span<UInt8>, kind: FlatJSONMember.Kind) -> Int64? {
        if kind == .number, text.count <= 16 {
            let negative = text[0] == UInt8(ascii: "-")
            let digits = negative ? text.count - 1 : text.count
            if digits <= 15 {
                var value: Int64 = 0
                var plain = true
                for index in (negative ? 1 : 0)..<text.count {
                    let digit = text[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { plain = false; break }
                    value = value * 10 + Int64(digit)
                }
                if plain { return negative ? -value : value }
            }
        }
        let value: JSONValue = kind == .number ? .number(String(utf8: text)) : .string(String(utf8: text))
        return value.doubleValue.flatMap { Int64(exactly: $0) }
    }

    /// Offset of a `\u0000` escape (`u` in either case) preceded by an odd run of backslashes, if any.
    static func nulEscapeOffset(_ bytes: Span<UInt8>) -> Int? {
        guard bytes.count >= 6 else { return nil }
        return bytes.firstEscape { after in
            after.count >= 5 && after[0] | 0x20 == UInt8(ascii: "u") && after.extracting(1..<5).equals("0000")
        }
    }

    /// The strings as a JSON array, as ``JSONValue/serialized()`` writes an array of strings.
    static func jsonArray(_ texts: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, text) in texts.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSON.appendString(text.utf8.span, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    static func numberText(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

private struct DatabaseId: Hashable {
    let database: String
    let id: String
}

/// What makes two drug records one drug: the source and its id, or without an id the
/// case-folded name.
private struct DrugIdentity: Hashable {
    let source: String
    let sourceId: String?
    let foldedName: String
}

/// A gene link's key columns after gene_id (see ``LegacyNormalizer/insertLink(_:_:)``): equal
/// when its values are (text as Swift compares it, by canonical equivalence), hashed from the
/// text's bytes (``LinkKeyText/digest(_:)``) rather than by the standard library's normalizing
/// hash.
private struct LinkKey: Hashable {
    let table: CoreTable
    let first: SQLValue
    let second: SQLValue
    let third: SQLValue

    /// The values' digests in one word (the table left out: a row's links of different tables
    /// rarely share their other columns).
    func hash(into hasher: inout Hasher) {
        let prime: UInt64 = 0x9E37_79B9_7F4A_7C15
        hasher.combine(((Self.digest(first) &* prime) ^ Self.digest(second)) &* prime ^ Self.digest(third))
    }

    private static func digest(_ value: SQLValue) -> UInt64 {
        switch value {
        case .null: return 0
        case let .integer(number): return UInt64(bitPattern: number)
        case let .real(number): return UInt64(bitPattern: Int64(number.hashValue))
        case let .text(text): return LinkKeyText.digest(text)
        }
    }
}

/// A hash of text that agrees with `String` equality, which is canonical equivalence, without
/// normalizing ASCII text.
///
/// Text made of ASCII and the three characters whose canonical decomposition is ASCII (KELVIN
/// SIGN → `K`, GREEK QUESTION MARK → `;`, GREEK VARIA → `` ` ``; LinkKeyTextTests checks every
/// Unicode scalar) is its own decomposition once those three are replaced: two such texts are
/// equal exactly when their bytes so replaced are, and no other text equals one of them. Its
/// digest is a hash of those bytes (``ByteHash/asciiHash(_:)``, which leaves text with a NUL to
/// ``ByteHash/hash128(_:)``); any other text gets the standard library's hash.
enum LinkKeyText {
    /// The characters other than ASCII whose canonical decomposition is ASCII, and that ASCII.
    static let asciiSingletons: [(scalar: Unicode.Scalar, ascii: UInt8)] = [
        ("\u{037E}", UInt8(ascii: ";")), ("\u{1FEF}", UInt8(ascii: "`")), ("\u{212A}", UInt8(ascii: "K")),
    ]

    static func digest(_ text: String) -> UInt64 {
        if let hash = ByteHash.asciiHash(text.utf8.span) { return hash }
        var decomposed: [UInt8] = []
        decomposed.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                decomposed.append(UInt8(scalar.value))
            } else if let singleton = asciiSingletons.first(where: { $0.scalar == scalar }) {
                decomposed.append(singleton.ascii)
            } else {
                return UInt64(bitPattern: Int64(text.hashValue))
            }
        }
        return ByteHash.asciiHash(decomposed.span) ?? ByteHash.hash128(decomposed.span).low
    }
}

extension LegacyColumn {
    /// For each field, the other gene-level fields that feed one of its link tables, and those
    /// tables (gene_extras aside, whose rows are not keyed).
    static let sharingLinkTables: [[(field: LegacyColumn, tables: [CoreTable])]] = allCases.map { field in
        geneLevel.compactMap { other in
            guard other != field else { return nil }
            let shared = field.tables.filter { $0 != .geneExtras && other.tables.contains($0) }
            return shared.isEmpty ? nil : (other, shared)
        }
    }

    /// The core tables a gene-level field feeds.
    var tables: [CoreTable] {
        switch self {
        case .pathways: return [.genePathways]
        case .drugs, .pharmgkbPathways: return [.geneDrugInteractions, .genePathways, .geneExtras]
        case .molecularFunctions, .cellularLocation: return [.geneAnnotations]
        case .uniprotIds, .ncbiIds, .refseqIds, .pdbIds, .altGeneIds: return [.geneCrossReferences]
        case .sourceReferences: return [.genePublications]
        default: return [.geneExtras]
        }
    }
}

/// Counts the normalizer keeps for the report.
package struct NormalizationTally: Codable, Equatable, Sendable {
    package init() {}

    package var legacyTables = 0
    package var legacyRows = 0
    package var legacyBytes: Int64 = 0
    package var genes = 0
    package var transcripts = 0
    package var drugs = 0
    package var pathways = 0
    package var drugsBySource: [String: Int] = [:]
    package var pathwaysBySource: [String: Int] = [:]
    package var versionedIds = 0
    package var mergedTranscriptRows = 0
    package var transcriptsOnTwoGenes = 0
    package var conflictingGenes = 0
    package var identicalValuesSkipped = 0
    package var fieldRejects = 0
    package var publicationItemsWithoutPmid = 0
    package var unknownColumns: [String] = []
    package var missingColumns: [String] = []
    package var carriedTables: [String: Int] = [:]
    /// Every non-empty field of the legacy table, by column, and where it went.
    package var fields: [String: FieldAccount] = [:]
}

/// Where the non-empty fields of one legacy column went (docs/spec.md §4.1, "Nothing lost").
package struct FieldAccount: Codable, Equatable, Sendable {
    package var nonEmpty = 0
    /// Fields of rows written to the rejects file whole.
    package var inRejectedRows = 0
    /// Gene-level values equal to one already processed for the same gene.
    package var repeatsSkipped = 0
    /// Fields logged as field-level rejects (their row was kept).
    package var fieldRejects = 0
    /// Fields whose content went into the core.
    package var used = 0
}
