import Foundation
import MediabaseBytes
import MediabaseConcurrency
import MediabaseSQLite
import MediabaseModel

/// Fills the view tables whose SQL form is slow in SQLite from index scans that are already in
/// the table's order, so no view needs a sort or a temporary table per row.
///
/// The rows are those of the PostgreSQL materialized view of the same name
/// (`schemas/postgres/views.pg.sql`): lists are JSON arrays as SQLite's `json_group_array`
/// writes them, ordered by bytes (`COLLATE "C"`), NULL symbols first. Each fill relies on a
/// covering index of `indexes.sqlite.sql` that starts with the view's key.
struct ViewTableFiller {
    let database: SQLiteDatabase
    /// The budget of the view tables' in-memory lookups (see ``GeneTranscriptTable``); 0 makes
    /// the cross-reference view join by sorting instead. No fill needs the core's lookup
    /// indexes: before they exist (another connection builds them) SQLite sorts what they would
    /// have given in order.
    var lookupLimitBytes = GeneTranscriptTable.defaultLimitBytes
    /// Gives the core's tables a larger page cache (the caller's scan cache, see
    /// `SQLiteCoreWriter.idOrderScanTables`) for a fill that walks `transcripts` by its primary
    /// key, which reads the table's rows in random order (the transcript views' SQL form); the
    /// caller sets the cache back. The caller may not have the memory yet (another connection
    /// still holds it): the call waits for it.
    var raiseScanCache: () throws -> Void = {}
    /// The genes' symbols, read once for this filler's fills and those of the fillers it is
    /// shared with (the other connections of the same run).
    let symbolCache: GeneSymbolCache
    /// Where each fill's lookups take their bytes (up to ``lookupLimitBytes``) while it runs,
    /// shared with the fills and checks on the other connections; nil: each fill has
    /// ``lookupLimitBytes`` of its own.
    var lookupPool: MemoryPool?
    /// Called by a fill once its lookups are built, with the bytes they hold: the rest of what
    /// the pool granted goes back for the other connections.
    var keepOnly: (_ bytes: Int) -> Void = { _ in }

    init(database: SQLiteDatabase, lookupLimitBytes: Int = GeneTranscriptTable.defaultLimitBytes, symbolCache: GeneSymbolCache = GeneSymbolCache(),
         lookupPool: MemoryPool? = nil) {
        self.database = database
        self.lookupLimitBytes = lookupLimitBytes
        self.symbolCache = symbolCache
        self.lookupPool = lookupPool
    }

    /// What the cross-reference view's sorting form sorts in memory; nil: its share of
    /// ``lookupLimitBytes`` (tests make it small, so that the sorts spill to disk).
    var sortMemoryBytes: Int?
    /// What the cross-reference view's sorting form sorts in memory (``ExternalSorter``), at
    /// least and at most, of the lookups' budget.
    static let minimumSortBytes = 4 << 20
    static let maximumSortBytes = 64 << 20

    /// The view tables this type fills; `views.sqlite.sql` declares them without a query.
    static let filledTables: Set<String> = [
        "transcript_enrichment_view", "drug_interaction_summary_view", "publication_summary_view",
        "cross_reference_lookup_view", "patient_query_optimized_view", "go_term_hierarchy_view",
    ]

    /// Fills `table`, created empty. `patient_query_optimized_view` also fills
    /// `transcript_enrichment_view` (created before it, in the same job) in the same walk of
    /// the transcripts.
    func fill(_ table: String) throws {
        if let pool = lookupPool {
            // What the pool grants now is this fill's budget: less than asked when the other
            // connections hold the rest, and then the fill takes its sorted or SQL form.
            let grant = MemoryGrant(pool: pool, upTo: lookupLimitBytes)
            defer { grant.end() }
            // The genes' symbols, if no fill read them yet, from this fill's grant.
            _ = try symbolCache.table(from: database, limitBytes: grant.bytes, grant: grant)
            var limited = self
            limited.lookupPool = nil
            limited.lookupLimitBytes = grant.bytes
            limited.keepOnly = { grant.shrink(to: $0) }
            return try limited.fill(table)
        }
        switch table {
        case "transcript_enrichment_view": break
        case "patient_query_optimized_view": try fillTranscriptViews()
        case "drug_interaction_summary_view": try fillDrugInteractionSummary()
        case "publication_summary_view": try fillPublicationSummary()
        case "cross_reference_lookup_view": try fillCrossReferenceLookup()
        case "go_term_hierarchy_view": try fillGOTermHierarchy()
        default: throw MediabaseError.io(path: database.path, message: "no filler for view table \(table)")
        }
    }

    /// One row per drug: how many genes it targets and their symbols.
    private func fillDrugInteractionSummary() throws {
        let drugs = try database.prepare("SELECT drug_interaction_id, drug_name, source_database FROM drug_interactions ORDER BY drug_interaction_id")
        let targets = try database.prepare("SELECT drug_interaction_id, gene_id FROM gene_drug_interactions ORDER BY drug_interaction_id, gene_id")
        let insert = try database.prepare("INSERT INTO drug_interaction_summary_view VALUES (?, ?, ?, ?, ?)")
        let symbols = try GeneSymbols(database: database, cache: symbolCache, limitBytes: lookupLimitBytes)
        // The symbols are the shared table's (or sought): nothing of the fill's own.
        keepOnly(0)
        var target = try targets.step() ? targets.int64(0) : nil
        var genes = DistinctList<[UInt8]?>()
        while try drugs.step() {
            let id = drugs.int64(0)
            genes.removeAll()
            while let current = target, current <= id {
                if current == id { genes.append(Bytes.copy(targets.textBytes(1))) }
                target = try targets.step() ? targets.int64(0) : nil
            }
            let targets = try symbols.sortedSymbolsJSON(of: genes.elements)
            try insert.bind(1, id)
            try insert.bind(2, bytes: drugs.textBytes(1))
            try insert.bind(3, bytes: drugs.textBytes(2))
            try insert.bind(4, Int64(targets.count))
            try insert.bind(5, bytes: targets.json)
            try insert.run()
        }
    }

    /// One row per pmid: its genes (count and symbols) and its reference categories.
    private func fillPublicationSummary() throws {
        let links = try database.prepare("SELECT pmid, gene_id, reference_category FROM gene_publications ORDER BY pmid, gene_id, reference_category")
        let insert = try database.prepare("INSERT INTO publication_summary_view VALUES (?, ?, ?, ?)")
        let symbols = try GeneSymbols(database: database, cache: symbolCache, limitBytes: lookupLimitBytes)
        // The symbols are the shared table's (or sought): nothing of the fill's own.
        keepOnly(0)
        var pmid: [UInt8] = []
        var genes = DistinctList<[UInt8]?>()
        var categories = DistinctList<[UInt8]?>()
        var open = false
        func flush() throws {
            guard open else { return }
            // A pmid none of whose genes `genes` has has no row (the view joins the two).
            let linked = try symbols.sortedSymbolsJSON(of: genes.elements)
            guard linked.count > 0 else { return }
            try insert.bind(1, bytes: pmid)
            try insert.bind(2, Int64(linked.count))
            try insert.bind(3, bytes: linked.json)
            try insert.bind(4, bytes: JSONArray.strings(categories.elements.sorted(by: Bytes.precedes)))
            try insert.run()
        }
        while try links.step() {
            guard let key = links.textBytes(0) else { continue }
            if !open || !key.elementsEqual(pmid) {
                try flush()
                pmid = Array(key)
                genes.removeAll()
                categories.removeAll()
                open = true
            }
            genes.append(Bytes.copy(links.textBytes(1)))
            categories.append(Bytes.copy(links.textBytes(2)))
        }
        try flush()
    }

    /// One row per (external_db, external_id): the smallest gene id that carries it (directly
    /// or through one of its transcripts), that gene's symbol, and every transcript it reaches:
    /// all transcripts of a gene that carries it, and each transcript that carries it itself.
    ///
    /// The genes' transcripts and symbols come from a ``GeneTranscriptTable`` when they fit its
    /// budget (`lookupLimitBytes`); else the references are joined with the transcripts by
    /// sorting (``fillCrossReferenceLookupBySorting()``): the same rows.
    private func fillCrossReferenceLookup() throws {
        guard let table = try GeneTranscriptTable.load(from: database, limitBytes: lookupLimitBytes) else {
            // The sorters' share of the budget (at least a few MiB: they need some to sort).
            let sorting = sortMemoryBytes ?? max(Self.minimumSortBytes, min(lookupLimitBytes, Self.maximumSortBytes))
            keepOnly(sorting)
            return try fillCrossReferenceLookupBySorting(memoryBytes: sorting)
        }
        var rows = CrossReferenceRows(database: database)

        // The current key, its smallest gene and its transcripts live in buffers reused from key
        // to key: the view has a row for every external id.
        var key = ReferenceKey()
        var smallestGene: [UInt8] = []
        /// The table's number of `smallestGene` (nil: not in the table).
        var smallestGeneIndex: Int?
        var hasGene = false
        var list = ByteStrings()
        func consider(_ gene: Span<UInt8>, index: Int?) {
            guard !hasGene || gene.compare(smallestGene.span) < 0 else { return }
            smallestGene.replace(with: gene)
            smallestGeneIndex = index
            hasGene = true
        }
        /// Writes the rows of the keys of the two scans (ordered by key), merged.
        func merge(_ genes: inout ReferenceScan, _ transcripts: inout ReferenceScan) throws {
            try genes.start()
            try transcripts.start()
            while genes.hasRow || transcripts.hasRow {
                let fromGene = genes.hasRow && (!transcripts.hasRow || genes.pending.compare(transcripts.pending) <= 0)
                if fromGene { swap(&key, &genes.pending) } else { swap(&key, &transcripts.pending) }
                hasGene = false
                smallestGeneIndex = nil
                list.removeAll()
                // A key exists where a gene carries it or a transcript the core has (the view's join);
                // a transcript the core lacks is listed under a key that exists, as the view's list
                // takes every transcript carrying it.
                var keyExists = fromGene
                // The genes whose transcripts the list takes, the first kept apart: a key of one
                // gene and no transcript of its own (most keys of gene references) has that gene's
                // transcripts written from the table, sorted and distinct already.
                var onlyGene: Int?
                var geneCount = 0
                // A scan whose pending key equals the current key has rows of it (the other scan's
                // pending key is never below the current one).
                if fromGene {
                    repeat {
                        // gene_id is NOT NULL; a NULL would carry no gene and no transcripts.
                        if let index = genes.geneNumber(in: table) {
                            table.withGeneId(index) { consider($0, index: index) }
                            geneCount += 1
                            if geneCount == 1 {
                                onlyGene = index
                            } else {
                                if let first = onlyGene {
                                    table.forEachTranscript(ofGene: first) { list.append($0) }
                                    onlyGene = nil
                                }
                                table.forEachTranscript(ofGene: index) { list.append($0) }
                            }
                            continue
                        }
                        // A gene the table lacks has no transcripts and no symbol.
                        genes.withValue { gene in if let gene { consider(gene, index: nil) } }
                    } while try genes.next(continuing: key)
                }
                if transcripts.hasRow && (!fromGene || transcripts.pending == key) {
                    repeat {
                        if let gene = transcripts.transcriptGene {
                            keyExists = true
                            table.withGeneId(gene) { consider($0, index: gene) }
                        }
                        transcripts.withValue { id in if let id { list.append(id) } }
                    } while try transcripts.next(continuing: key)
                }

                guard keyExists else { continue }
                if let first = onlyGene, !list.isEmpty {
                    table.forEachTranscript(ofGene: first) { list.append($0) }
                    onlyGene = nil
                }
                let gene = hasGene ? smallestGene : nil
                let items: CrossReferenceRows.Items = onlyGene.map { .geneTranscripts($0, table) } ?? .list
                if let index = smallestGeneIndex {
                    try table.withSymbol(ofGene: index) { try rows.write(key, gene: gene, symbol: $0, items: items, transcripts: &list) }
                } else {
                    try rows.write(key, gene: gene, symbol: nil, items: items, transcripts: &list)
                }
            }
        }

        // Sorted here, without SQLite's sorter (which costs several times more per row on
        // these two-column keys) and without a seek of the transcript's gene: all at once
        // when the references fit the budget, else a range of keys at a time.
        let budget = lookupLimitBytes - table.estimatedBytes
        if let sorted = try SortedReferences.load(from: database, table: table, limitBytes: budget) {
            keepOnly(table.estimatedBytes + sorted.byteCount)
            var (genes, transcripts) = (ReferenceScan(sorted.genes), ReferenceScan(sorted.transcripts))
            try merge(&genes, &transcripts)
        } else if let ranges = try SortedReferences.keyRanges(in: database, limitBytes: budget) {
            try SortedReferences.forEachRange(of: database, table: table, ranges: ranges) { sorted in
                var (genes, transcripts) = (ReferenceScan(sorted.genes), ReferenceScan(sorted.transcripts))
                try merge(&genes, &transcripts)
            }
        } else {
            keepOnly(table.estimatedBytes)
            // The transcript ids come last in both orders (free with the indexes, a tie-breaker
            // of the sort without them): a key's transcripts then mostly arrive ordered already.
            var genes = try ReferenceScan(database.prepare(
                "SELECT external_db, external_id, gene_id FROM gene_cross_references ORDER BY external_db, external_id, gene_id"))
            var transcripts = try ReferenceScan(database.prepare(
                "SELECT external_db, external_id, transcript_id FROM transcript_cross_references ORDER BY external_db, external_id, transcript_id"),
                resolvingTranscriptsIn: table)
            try merge(&genes, &transcripts)
        }
        try rows.finish()
    }

    /// `cross_reference_lookup_view` without the genes and transcripts in memory, by sorting
    /// (``ExternalSorter``, within `memoryBytes`, the rest in sorted runs on disk): first the
    /// transcripts and the references, each listed under its gene and under its transcript, so
    /// that each gene's transcripts come just before its references and each transcript's gene
    /// just before its references; from that order, a record per reference with its key, its
    /// gene and the transcripts it reaches, sorted again by key: a key's records together, as
    /// its row needs them. Symbols come from ``GeneSymbols`` (in memory within the budget, else
    /// a seek per key). Every read is a scan of a table in rowid order, so it needs no index (the
    /// connection that fills it before the indexes exist can) and the cost stays linear in the
    /// rows, as SQLite's sorter within a small cache did not (4x lean rows: 95 s).
    private func fillCrossReferenceLookupBySorting(memoryBytes: Int) throws {
        // Half each: the joins' sorter is read while the keys' is filled.
        let joins = ExternalSorter(scratchBeside: database.path, memoryBytes: memoryBytes / 2)
        var record: [UInt8] = []
        func field(_ value: Span<UInt8>?) { ExternalSorter.appendOrderedField(value, to: &record) }
        // A record of the joins' sorter starts with its space (gene or transcript) and that id;
        // then 0 for the id's own row (a transcript of the gene, or the transcript's gene),
        // which sorts before 1 for a reference of it (external_db, external_id).
        let (geneSpace, transcriptSpace): (UInt8, UInt8) = (0, 1)
        let (ownRow, reference): (UInt8, UInt8) = (0, 1)
        func add(_ space: UInt8, _ id: Span<UInt8>?, _ kind: UInt8, _ fill: () -> Void) throws {
            record.removeAll(keepingCapacity: true)
            record.append(space)
            field(id)
            record.append(kind)
            fill()
            try joins.append(record.span)
        }
        let transcripts = try database.prepare("SELECT gene_id, transcript_id FROM transcripts")
        while try transcripts.step() {
            let (gene, transcript) = (transcripts.storedTextBytes(0), transcripts.storedTextBytes(1))
            guard let transcript else { continue }
            if let gene { try add(geneSpace, gene, ownRow) { field(transcript) } }
            try add(transcriptSpace, transcript, ownRow) { field(gene) }
        }
        // NULL keys read as empty (the columns are NOT NULL), as the view's other forms read them.
        let empty: [UInt8] = []
        func keyField(_ value: Span<UInt8>?) {
            if let value { field(value) } else { field(empty.span) }
        }
        for (table, space) in [("gene_cross_references", geneSpace), ("transcript_cross_references", transcriptSpace)] {
            let references = try database.prepare("SELECT \(space == geneSpace ? "gene_id" : "transcript_id"), external_db, external_id FROM \(table)")
            while try references.step() {
                try add(space, references.storedTextBytes(0), reference) {
                    keyField(references.storedTextBytes(1))
                    keyField(references.storedTextBytes(2))
                }
            }
        }

        // A record per reference: external_db, external_id, the gene (NULL: a transcript the core
        // lacks), 1 for a gene's reference, then the transcripts, each after its length.
        let keys = ExternalSorter(scratchBeside: database.path, memoryBytes: memoryBytes / 2)
        var current: [UInt8] = []
        var packed: [UInt8] = []
        // The current transcript's gene, when it has one.
        var owner: [UInt8] = []
        var hasOwner = false
        var work: [UInt8] = []
        try joins.forEachSorted { joined in
            var position = 1
            ExternalSorter.skipOrderedField(joined, at: &position)
            // The space and the id, encoded: a gene's id is written into its references' records as it is.
            let id = joined.extracting(0..<position)
            if !id.elementsEqual(current) {
                current.replace(with: id)
                packed.removeAll(keepingCapacity: true)
                hasOwner = false
            }
            let space = joined[0]
            let kind = joined[position]
            position += 1
            if kind == ownRow {
                if space == geneSpace {
                    ExternalSorter.withOrderedField(joined, at: &position) { transcript in
                        packed.appendLittleEndian(UInt32(transcript!.count))
                        packed.append(transcript!)
                    }
                } else {
                    hasOwner = ExternalSorter.withOrderedField(joined, at: &position) { gene in
                        guard let gene else { return false }
                        owner.replace(with: gene)
                        return true
                    }
                }
                return
            }
            // The key's two fields, as they are encoded in both records.
            let keyStart = position
            ExternalSorter.skipOrderedField(joined, at: &position)
            ExternalSorter.skipOrderedField(joined, at: &position)
            work.removeAll(keepingCapacity: true)
            work.append(joined.extracting(keyStart..<position))
            if space == geneSpace {
                work.append(id.extracting(1...))
                work.append(1)
                work.append(packed.span)
            } else {
                if hasOwner { ExternalSorter.appendOrderedField(owner.span, to: &work) } else { ExternalSorter.appendOrderedField(nil, to: &work) }
                work.append(0)
                var idPosition = 1
                ExternalSorter.withOrderedField(joined, at: &idPosition) { transcript in
                    if let transcript {
                        work.appendLittleEndian(UInt32(transcript.count))
                        work.append(transcript)
                    }
                }
            }
            try keys.append(work.span)
        }
        try rows(fromSortedKeys: keys)
    }

    /// Writes the view's rows from the records of ``fillCrossReferenceLookupBySorting(memoryBytes:)``,
    /// sorted by key: a row per key (the smallest gene and the sorted list do not depend on the
    /// order of its records).
    private func rows(fromSortedKeys keys: ExternalSorter) throws {
        var rows = CrossReferenceRows(database: database)
        let symbols = try GeneSymbols(database: database, cache: symbolCache, limitBytes: lookupLimitBytes)
        var key = ReferenceKey()
        var encodedKey: [UInt8] = []
        var smallestGene: [UInt8] = []
        var hasGene = false
        var keyExists = false
        var list = ByteStrings()
        var open = false
        func flush() throws {
            guard open, keyExists else { return }
            guard hasGene, let symbol = try symbols.symbol(of: smallestGene) else {
                return try rows.write(key, gene: hasGene ? smallestGene : nil, symbol: nil, transcripts: &list)
            }
            try rows.write(key, gene: smallestGene, symbol: symbol.span, transcripts: &list)
        }
        try keys.forEachSorted { record in
            var position = 0
            ExternalSorter.skipOrderedField(record, at: &position)
            ExternalSorter.skipOrderedField(record, at: &position)
            if !open || !record.extracting(0..<position).elementsEqual(encodedKey) {
                try flush()
                encodedKey.replace(with: record.extracting(0..<position))
                var field = 0
                ExternalSorter.withOrderedField(record, at: &field) { key.database.replace(with: $0) }
                ExternalSorter.withOrderedField(record, at: &field) { key.identifier.replace(with: $0) }
                hasGene = false
                keyExists = false
                list.removeAll()
                open = true
            }
            // A key exists where a gene carries it or a transcript the core has (the view's
            // join); every transcript carrying it is listed.
            let hadGene = ExternalSorter.withOrderedField(record, at: &position) { gene -> Bool in
                guard let gene else { return false }
                if !hasGene || gene.compare(smallestGene.span) < 0 {
                    smallestGene.replace(with: gene)
                    hasGene = true
                }
                return true
            }
            if record[position] == 1 || hadGene { keyExists = true }
            position += 1
            while position + 4 <= record.count {
                let count = Int(record.littleEndianUInt32(at: position))
                list.append(record.extracting((position + 4)..<(position + 4 + count)))
                position += 4 + count
            }
        }
        try flush()
        try rows.finish()
    }
}

/// Writes `cross_reference_lookup_view`'s rows, their text values end to end in one buffer
/// reused from row to row, bound in place.
private struct CrossReferenceRows {
    private let insert: SQLiteRowRuns
    private var row: [UInt8] = []

    init(database: SQLiteDatabase) {
        insert = SQLiteRowRuns(database: database, table: "cross_reference_lookup_view", columns: 5)
    }

    /// Where a row's transcripts come from.
    enum Items {
        /// `list`, sorted and made distinct here.
        case list
        /// A gene's transcripts in the table, sorted and distinct already (`list` is empty).
        case geneTranscripts(Int, GeneTranscriptTable)
    }

    /// A key's row: its gene (nil: NULL), the gene's symbol and the transcripts, sorted and distinct.
    mutating func write(_ key: ReferenceKey, gene: [UInt8]?, symbol: Span<UInt8>?, items: Items = .list, transcripts list: inout ByteStrings) throws {
        let (database, identifier) = (key.database, key.identifier)
        row.removeAll(keepingCapacity: true)
        row.append(database.span)
        row.append(identifier.span)
        let identifierEnd = row.count
        if let gene { row.append(gene.span) }
        let geneEnd = row.count
        if let symbol { row.append(symbol) }
        let symbolEnd = row.count
        switch items {
        case .list:
            list.writeSortedDistinctJSON(to: &row)
        case let .geneTranscripts(index, table):
            row.append(UInt8(ascii: "["))
            table.appendTranscriptsJSON(ofGene: index, to: &row)
            row.append(UInt8(ascii: "]"))
        }
        let values = row.span
        insert.appendText(values.extracting(0..<database.count))
        insert.appendText(values.extracting(database.count..<identifierEnd))
        if gene != nil { insert.appendText(values.extracting(identifierEnd..<geneEnd)) } else { insert.appendNull() }
        if symbol != nil { insert.appendText(values.extracting(geneEnd..<symbolEnd)) } else { insert.appendNull() }
        insert.appendText(values.extracting(symbolEnd..<row.count))
        try insert.endRow()
    }

    mutating func finish() throws { try insert.finish() }
}

/// An (external_db, external_id) key, NULL read as empty (both columns are NOT NULL).
private struct ReferenceKey: Equatable {
    var database: [UInt8] = []
    var identifier: [UInt8] = []

    /// Byte order of the database, then of the identifier.
    func compare(_ other: ReferenceKey) -> Int {
        let order = database.span.compare(other.database.span)
        return order != 0 ? order : identifier.span.compare(other.identifier.span)
    }
}

/// One of the cross-reference view's two ordered scans (a query ordered by its key, or
/// ``SortedReferences``), read beside the key being collected: each row's key is read once,
/// compared with that key and copied out only where a new key starts.
private struct ReferenceScan {
    /// The query (columns external_db, external_id, then the gene or transcript id, then with
    /// the join the transcript's gene); nil when the rows come from `sorted`.
    let statement: SQLiteStatement?
    private var sorted = SortedReferences.Rows()
    private var position = -1
    /// Where the query's transcripts are looked up; nil for the genes' scan or the query with
    /// the join.
    private let table: GeneTranscriptTable?
    private(set) var hasRow = false
    /// The key of the current row, which starts a key after the one being collected.
    var pending = ReferenceKey()
    /// The table's gene number of the current transcript reference's transcript (with a table;
    /// nil when the table lacks the transcript).
    private(set) var transcriptGene: Int?

    init(_ statement: SQLiteStatement, resolvingTranscriptsIn table: GeneTranscriptTable? = nil) {
        self.statement = statement
        self.table = table
    }

    init(_ rows: SortedReferences.Rows) {
        statement = nil
        sorted = rows
        table = nil
    }

    /// Steps to the first row; its key becomes ``pending``.
    mutating func start() throws {
        guard try advance() else { return }
        if let statement = self.statement {
            pending.database.replace(with: statement.textBytes(0))
            pending.identifier.replace(with: statement.textBytes(1))
        } else {
            sorted.copyKey(position, into: &pending)
        }
    }

    /// Steps to the next row; true when it has the key `current`, else its key becomes
    /// ``pending`` (false also at the end, with ``hasRow`` false).
    mutating func next(continuing current: ReferenceKey) throws -> Bool {
        guard try advance() else { return false }
        guard let statement = self.statement else {
            if sorted.keyEquals(position, current) { return true }
            sorted.copyKey(position, into: &pending)
            return false
        }
        let (database, identifier) = (statement.textBytes(0), statement.textBytes(1))
        if Bytes.equalsKey(database, current.database) && Bytes.equalsKey(identifier, current.identifier) { return true }
        pending.database.replace(with: database)
        pending.identifier.replace(with: identifier)
        return false
    }

    /// The table's number of the current gene reference's gene; nil when NULL or the table lacks it.
    func geneNumber(in table: GeneTranscriptTable) -> Int? {
        guard let statement else { return sorted.gene(position) }
        guard let gene = statement.textBytes(2) else { return nil }
        return table.geneIndex(gene)
    }

    /// Calls `body` with the current row's gene or transcript id (nil: NULL).
    func withValue<R>(_ body: (Span<UInt8>?) throws -> R) rethrows -> R {
        if let statement { return try body(statement.textBytes(2)) }
        return try sorted.withValue(position, body)
    }

    private mutating func advance() throws -> Bool {
        guard let statement else {
            position += 1
            hasRow = position < sorted.count
            if hasRow { transcriptGene = sorted.gene(position) }
            return hasRow
        }
        hasRow = try statement.step()
        if hasRow, let table {
            if let transcript = statement.textBytes(2) { transcriptGene = table.geneOfTranscript(transcript) } else { transcriptGene = nil }
        }
        return hasRow
    }
}

/// The two cross-reference tables read in rowid order and sorted in memory by key, as the
/// queries of the other form of ``ReferenceScan`` order them (a key's references in the order
/// read, where the queries order them by id: the view's row of a key does not depend on it);
/// each reference carries its gene or transcript as a number of the ``GeneTranscriptTable``,
/// which also gives a transcript's gene.
struct SortedReferences {
    /// The references of one table, sorted by key: per reference a 20-byte row with the first 8
    /// bytes of its `external_id` (two integers, the sort's first keys) and its gene or transcript
    /// as a number of the ``GeneTranscriptTable``; the rest of the `external_id` (and the bytes of
    /// an id the table lacks) end to end in one buffer; the rows of each database apart, so that
    /// no row holds its database. Lean rows: 24 bytes a reference, where holding both ids' bytes
    /// and a 32-byte row took 59.
    struct Rows {
        private var bytes: [UInt8] = []
        /// The rows of each database: by its number until ``sort(ranks:names:)``, then by rank.
        private var groups: [[Row]] = []
        /// Once sorted, the position of each group's first row, and the count after the last.
        private var groupStarts: [Int] = [0]
        /// The database names by rank (byte order), once sorted.
        private var names = ByteStringTable()
        /// Where the numbers are genes (gene references) or transcripts (transcript references).
        private let table: GeneTranscriptTable?
        private let holdsTranscripts: Bool
        private(set) var count = 0

        struct Row {
            /// The first 8 bytes of `external_id`, big-endian, zeros after its end.
            var prefixHigh: UInt32
            var prefixLow: UInt32
            /// Where the bytes of `external_id` after its first 8 start in the buffer.
            var suffixStart: UInt32
            var identifierCount: UInt32
            /// The gene or transcript: its number in the table (from 0); -1: NULL; below -1: an id
            /// the table lacks, whose `-2 - value` bytes follow the `external_id`'s in the buffer.
            var value: Int32
        }

        init(table: GeneTranscriptTable? = nil, holdsTranscripts: Bool = false) {
            self.table = table
            self.holdsTranscripts = holdsTranscripts
        }

        var byteCount: Int { bytes.count + count * MemoryLayout<Row>.stride }

        /// What a reference of this `external_id` takes (an id the table lacks aside).
        static func byteCount(identifier: Span<UInt8>?) -> Int { MemoryLayout<Row>.stride + max(0, (identifier?.count ?? 0) - 8) }

        /// Appends a row of database number `database`; a NULL `external_id` reads as empty (it
        /// is NOT NULL). `number` is the value's number in the table, nil when it lacks it (or
        /// the value is NULL).
        mutating func append(database: Int, identifier: Span<UInt8>?, value: Span<UInt8>?, number: Int?) {
            var prefix: UInt64 = 0
            let identifierCount = identifier?.count ?? 0
            let suffixStart = UInt32(bytes.count)
            if let identifier {
                for index in 0..<8 { prefix = prefix << 8 | UInt64(index < identifierCount ? identifier[index] : 0) }
                if identifierCount > 8 { bytes.append(identifier.extracting(8...)) }
            }
            var stored: Int32 = -1
            if let number {
                stored = Int32(number)
            } else if let value {
                bytes.append(value)
                stored = -2 - Int32(value.count)
            }
            while groups.count <= database { groups.append([]) }
            groups[database].append(Row(prefixHigh: UInt32(truncatingIfNeeded: prefix >> 32), prefixLow: UInt32(truncatingIfNeeded: prefix),
                                        suffixStart: suffixStart, identifierCount: UInt32(identifierCount), value: stored))
            count += 1
        }

        /// Byte order of the key: the groups put in the order of their databases' names
        /// (`ranks` gives each database number's rank in byte order, `names` the names by rank),
        /// each group sorted by `external_id`. A key's references keep their order (the sort is
        /// stable): what the view makes of them does not depend on it.
        mutating func sort(ranks: [UInt32], names: ByteStringTable) {
            self.names = names
            var ranked = [[Row]](repeating: [], count: names.count)
            for (number, group) in groups.enumerated() { ranked[Int(ranks[number])] = group }
            groups = []
            let bytes = bytes
            let all = bytes.span
            groupStarts = [0]
            for rank in ranked.indices {
                ranked[rank].sort { left, right in
                    if left.prefixHigh != right.prefixHigh { return left.prefixHigh < right.prefixHigh }
                    if left.prefixLow != right.prefixLow { return left.prefixLow < right.prefixLow }
                    // Equal first 8 bytes: the rest in byte order, then the shorter first (an id of
                    // 8 bytes or fewer has no rest, and its zeros after its end equal the other's).
                    let order = all.extracting(Self.suffix(left)).compare(all.extracting(Self.suffix(right)))
                    return order != 0 ? order < 0 : left.identifierCount < right.identifierCount
                }
                groupStarts.append(groupStarts[rank] + ranked[rank].count)
            }
            groups = ranked
        }

        private static func suffix(_ row: Row) -> Range<Int> {
            Int(row.suffixStart)..<(Int(row.suffixStart) + max(0, Int(row.identifierCount) - 8))
        }

        /// The group (database rank) and the row of a position, once sorted.
        private func row(_ index: Int) -> (rank: Int, row: Row) {
            var rank = 0
            while groupStarts[rank + 1] <= index { rank += 1 }
            return (rank, groups[rank][index - groupStarts[rank]])
        }

        /// The `external_id` byte at `offset` of a row (below its count).
        private func identifierByte(_ row: Row, _ offset: Int) -> UInt8 {
            switch offset {
            case 0..<4: UInt8(truncatingIfNeeded: row.prefixHigh >> UInt32(24 - 8 * offset))
            case 4..<8: UInt8(truncatingIfNeeded: row.prefixLow >> UInt32(56 - 8 * offset))
            default: bytes[Int(row.suffixStart) + offset - 8]
            }
        }

        /// Sets `key` to the key of a reference.
        fileprivate func copyKey(_ index: Int, into key: inout ReferenceKey) {
            let (rank, row) = row(index)
            names.with(rank) { key.database.replace(with: $0) }
            key.identifier.removeAll(keepingCapacity: true)
            for offset in 0..<min(8, Int(row.identifierCount)) { key.identifier.append(identifierByte(row, offset)) }
            if row.identifierCount > 8 { key.identifier.append(bytes.span.extracting(Self.suffix(row))) }
        }

        /// Whether a reference has the key `key`.
        fileprivate func keyEquals(_ index: Int, _ key: ReferenceKey) -> Bool {
            let (rank, row) = row(index)
            guard Int(row.identifierCount) == key.identifier.count, names.equals(rank, key.database.span) else { return false }
            for offset in 0..<min(8, key.identifier.count) where identifierByte(row, offset) != key.identifier[offset] { return false }
            return row.identifierCount <= 8 || bytes.span.extracting(Self.suffix(row)).elementsEqual(key.identifier.span.extracting(8...))
        }

        /// Calls `body` with the gene or transcript id of a reference (nil: NULL).
        func withValue<R>(_ index: Int, _ body: (Span<UInt8>?) throws -> R) rethrows -> R {
            let row = row(index).row
            if row.value == -1 { return try body(nil) }
            if row.value >= 0, let table {
                return holdsTranscripts ? try table.withTranscriptId(Int(row.value), body) : try table.withGeneId(Int(row.value), body)
            }
            let start = Self.suffix(row).upperBound
            return try body(bytes.span.extracting(start..<(start + Int(-2 - row.value))))
        }

        /// The table's number of a reference's gene (gene references), or of its transcript's
        /// gene (transcript references); nil when the table lacks it.
        func gene(_ index: Int) -> Int? {
            let value = row(index).row.value
            guard value >= 0, let table else { return nil }
            return holdsTranscripts ? table.gene(ofTranscriptNumber: Int(value)) : Int(value)
        }
    }

    var genes: Rows
    var transcripts: Rows
    /// The distinct `external_db` values (a handful), numbered as they come.
    private var databases = ByteStringTable()

    /// The number of a database name (NULL read as empty), numbering it if new. A handful of
    /// names are compared one by one, more found by their hash.
    private mutating func number(_ database: Span<UInt8>?) -> Int {
        guard let name = database else { return number([UInt8]().span) }
        if databases.count <= 8 {
            for index in 0..<databases.count where databases.equals(index, name) { return index }
        } else if let index = databases.index(of: name) {
            return index
        }
        return databases.appendIndexed(name)
    }

    /// The two tables and the column of their gene or transcript id.
    private static let tables = [("gene_cross_references", "gene_id"), ("transcript_cross_references", "transcript_id")]
    /// The two tables' queries, columns external_db, external_id, then the gene or transcript id.
    private static let queries = tables.map { "SELECT external_db, external_id, \($0.1) FROM \($0.0)" }

    /// The last rowid of each table (rows are only appended and merged away): at least its rows.
    private static func lastRowids(_ database: SQLiteDatabase) throws -> [Int] {
        try tables.map { try database.integer("SELECT max(rowid) FROM \($0.0)") }
    }

    private static func rowidBound(_ database: SQLiteDatabase) throws -> Int { try lastRowids(database).reduce(0, +) }

    /// What a reference takes once loaded (an id the table lacks aside).
    private static func loadedBytes(identifier: Span<UInt8>?) -> Int { Rows.byteCount(identifier: identifier) }

    /// Reads and sorts the references of both tables; nil when they would take more than
    /// `limitBytes`.
    static func load(from database: SQLiteDatabase, table: GeneTranscriptTable, limitBytes: Int) throws -> SortedReferences? {
        // A row's fixed size times the rows: a bound that spares reading tables that cannot fit.
        guard try rowidBound(database) * MemoryLayout<Rows.Row>.stride <= limitBytes else { return nil }
        var references = SortedReferences(table: table)
        // The columns are TEXT (the core is UTF-8): their stored bytes are read as they are.
        for (query, holdsTranscripts) in zip(queries, [false, true]) {
            let statement = try database.prepare(query)
            while try statement.step() {
                let (name, identifier, value) = (statement.storedTextBytes(0), statement.storedTextBytes(1), statement.storedTextBytes(2))
                references.add(database: name, identifier: identifier, value: value,
                               number: Self.number(of: value, in: table, holdsTranscripts: holdsTranscripts), holdsTranscripts: holdsTranscripts)
                if (references.genes.count + references.transcripts.count) % 4096 == 0, references.byteCount > limitBytes { return nil }
            }
        }
        guard references.byteCount <= limitBytes else { return nil }
        references.sort()
        return references
    }

    /// Calls `body` with the references of each of `ranges` (consecutive and in key order, as
    /// ``keyRanges(in:limitBytes:)`` gives them) sorted, a range at a time and in order, reading
    /// both tables once: the first range's references are kept as the scan meets them, each
    /// other range's are written to a scratch file of its own beside the core and read back at
    /// its turn. (A scan of both tables per range made the cost grow with the ranges times the
    /// references, and the ranges with the references.)
    static func forEachRange(of database: SQLiteDatabase, table: GeneTranscriptTable, ranges: [KeyRange],
                             _ body: (SortedReferences) throws -> Void) throws {
        let uppers = ranges.dropLast().map { $0.upper ?? ([], []) }
        var first: SortedReferences? = SortedReferences(table: table)
        var files: [ScratchFile?] = uppers.map { _ in ScratchFile(beside: database.path, bufferBytes: Self.spillBufferBytes) }
        var record: [UInt8] = []
        for (query, holdsTranscripts) in zip(queries, [false, true]) {
            let statement = try database.prepare(query)
            while try statement.step() {
                let (name, identifier, value) = (statement.storedTextBytes(0), statement.storedTextBytes(1), statement.storedTextBytes(2))
                let number = Self.number(of: value, in: table, holdsTranscripts: holdsTranscripts)
                let index = KeyRange.index(database: name, identifier: identifier, uppers: uppers)
                if index == 0 {
                    first!.add(database: name, identifier: identifier, value: value, number: number, holdsTranscripts: holdsTranscripts)
                } else {
                    SpilledReference.encode(database: name, identifier: identifier, value: value, number: number,
                                            holdsTranscripts: holdsTranscripts, into: &record)
                    try files[index - 1]!.appendRecord(record.span)
                }
            }
        }
        first!.sort()
        try body(first.take()!)
        for index in files.indices {
            guard let file = files[index].take() else { continue }
            var references = SortedReferences(table: table)
            var reader = ScratchFile.RecordReader(range: 0..<file.size, bufferBytes: Self.spillBufferBytes)
            while try reader.advance(file) {
                reader.withCurrent { record in
                    SpilledReference.decode(record) { name, identifier, value, number, holdsTranscripts in
                        references.add(database: name, identifier: identifier, value: value, number: number, holdsTranscripts: holdsTranscripts)
                    }
                }
            }
            references.sort()
            try body(references)
        }
    }

    /// The write and read buffer of each range's scratch file (``forEachRange(of:table:ranges:_:)``).
    static let spillBufferBytes = 256 << 10

    /// A reference of a range after the first, as ``forEachRange(of:table:ranges:_:)`` writes it
    /// to its range's scratch file: a byte of flags; `external_db` and `external_id`, each after
    /// its count (4 bytes, little-endian) unless NULL; then the value's number in the table (4
    /// bytes), or the value's bytes where the table lacks it, to the record's end.
    private enum SpilledReference {
        static let holdsTranscripts: UInt8 = 1, hasDatabase: UInt8 = 2, hasIdentifier: UInt8 = 4
        static let hasNumber: UInt8 = 8, hasValue: UInt8 = 16

        static func encode(database: Span<UInt8>?, identifier: Span<UInt8>?, value: Span<UInt8>?, number: Int?,
                           holdsTranscripts: Bool, into record: inout [UInt8]) {
            var flags: UInt8 = holdsTranscripts ? Self.holdsTranscripts : 0
            if database != nil { flags |= hasDatabase }
            if identifier != nil { flags |= hasIdentifier }
            if number != nil { flags |= hasNumber } else if value != nil { flags |= hasValue }
            record.removeAll(keepingCapacity: true)
            record.append(flags)
            if let database {
                record.appendLittleEndian(UInt32(database.count))
                record.append(database)
            }
            if let identifier {
                record.appendLittleEndian(UInt32(identifier.count))
                record.append(identifier)
            }
            if let number {
                record.appendLittleEndian(UInt32(number))
            } else if let value {
                record.append(value)
            }
        }

        static func decode(_ record: Span<UInt8>,
                           _ body: (_ database: Span<UInt8>?, _ identifier: Span<UInt8>?, _ value: Span<UInt8>?, _ number: Int?, _ holdsTranscripts: Bool) -> Void) {
            let flags = record[0]
            var position = 1
            /// The field after `position`, when the flags say it is there.
            func field(_ flag: UInt8) -> Range<Int>? {
                guard flags & flag != 0 else { return nil }
                let count = Int(record.littleEndianUInt32(at: position))
                defer { position += 4 + count }
                return (position + 4)..<(position + 4 + count)
            }
            let (databaseBytes, identifierBytes) = (field(hasDatabase), field(hasIdentifier))
            let database: Span<UInt8>? = if let databaseBytes { record.extracting(databaseBytes) } else { nil }
            let identifier: Span<UInt8>? = if let identifierBytes { record.extracting(identifierBytes) } else { nil }
            let number = flags & hasNumber != 0 ? Int(record.littleEndianUInt32(at: position)) : nil
            let value = flags & hasValue != 0 ? record.extracting(position...) : nil
            body(database, identifier, value, number, flags & Self.holdsTranscripts != 0)
        }
    }

    private init(table: GeneTranscriptTable) {
        genes = Rows(table: table)
        transcripts = Rows(table: table, holdsTranscripts: true)
    }

    /// The table's number of a gene reference's gene or a transcript reference's transcript.
    private static func number(of value: Span<UInt8>?, in table: GeneTranscriptTable, holdsTranscripts: Bool) -> Int? {
        guard let value else { return nil }
        return holdsTranscripts ? table.transcriptIndex(value) : table.geneIndex(value)
    }

    /// Appends a reference; `number` is its value's number in the table (nil where the table
    /// lacks it or the value is NULL).
    private mutating func add(database name: Span<UInt8>?, identifier: Span<UInt8>?, value: Span<UInt8>?, number: Int?, holdsTranscripts: Bool) {
        let database = self.number(name)
        if holdsTranscripts {
            transcripts.append(database: database, identifier: identifier, value: value, number: number)
        } else {
            genes.append(database: database, identifier: identifier, value: value, number: number)
        }
    }

    /// Sorts both tables' references by key (``Rows/sort(ranks:names:)``).
    private mutating func sort() {
        let (order, rankOfNumber) = databases.byteOrder()
        let ranks = rankOfNumber.map { UInt32($0) }
        var names = ByteStringTable()
        for number in order { databases.with(number) { names.append($0) } }
        genes.sort(ranks: ranks, names: names)
        transcripts.sort(ranks: ranks, names: names)
    }

    /// Memory held, roughly (array capacities aside).
    var byteCount: Int { genes.byteCount + transcripts.byteCount + databases.byteCount }

    /// A range of keys (external_db, then external_id, NULL read as empty, in byte order): from
    /// `lower` on (nil: from the first), before `upper` (nil: to the last).
    struct KeyRange {
        var lower: (database: [UInt8], identifier: [UInt8])?
        var upper: (database: [UInt8], identifier: [UInt8])?

        func contains(database: Span<UInt8>?, identifier: Span<UInt8>?) -> Bool {
            if let lower, Self.compare(database, identifier, lower) < 0 { return false }
            if let upper, Self.compare(database, identifier, upper) >= 0 { return false }
            return true
        }

        /// The range a key falls in among consecutive ranges whose upper bounds (all but the
        /// last's, which has none) are `uppers`, in order: how many of them are at or below it.
        static func index(database: Span<UInt8>?, identifier: Span<UInt8>?, uppers: [(database: [UInt8], identifier: [UInt8])]) -> Int {
            var (low, high) = (0, uppers.count)
            while low < high {
                let middle = (low + high) / 2
                if compare(database, identifier, uppers[middle]) >= 0 { low = middle + 1 } else { high = middle }
            }
            return low
        }

        private static func compare(_ database: Span<UInt8>?, _ identifier: Span<UInt8>?, _ key: (database: [UInt8], identifier: [UInt8])) -> Int {
            let order = part(database, key.database)
            return order != 0 ? order : part(identifier, key.identifier)
        }

        private static func part(_ value: Span<UInt8>?, _ key: [UInt8]) -> Int {
            guard let value else { return key.isEmpty ? 0 : -1 }
            return value.compare(key.span)
        }
    }

    /// Keys sampled to split the references into ranges (``keyRanges(in:limitBytes:)``).
    static let samples = 16_384
    /// The most ranges: each after the first has a write buffer (``spillBufferBytes``) while the
    /// tables are read, outside the budget; with more, the references are sorted on disk.
    static let maximumRanges = 16

    /// Consecutive ranges of keys, in key order and covering all keys, whose references each take
    /// about three quarters of `limitBytes` at most once loaded (``forEachRange(of:table:ranges:_:)``):
    /// references too many to sort at once are sorted a range at a time, the ranges after the
    /// first read back from scratch files, so that the view's cost stays linear in the references where
    /// SQLite's sorter would not (lean rows: 1.3 s at 200 MB of dump, 8.5 s at 800 MB). The
    /// ranges are cut at keys sampled by rowid, about ``samples`` in all (every so many rowids of
    /// each table, a seek each: no scan), each standing for as many references of its size. All
    /// references of one key fall in one range, so a range is a whole run of the view's rows.
    ///
    /// - Returns: nil when `limitBytes` holds nothing or the references would need more than
    ///   ``maximumRanges`` ranges.
    static func keyRanges(in database: SQLiteDatabase, limitBytes: Int) throws -> [KeyRange]? {
        let target = limitBytes / 4 * 3
        let lastRowids = try lastRowids(database)
        let rowids = lastRowids.reduce(0, +)
        guard target > 0, rowids * MemoryLayout<Rows.Row>.stride <= target * maximumRanges else { return nil }
        let every = max(1, rowids / samples)
        var samples: [(database: [UInt8], identifier: [UInt8], bytes: Int)] = []
        for (query, last) in zip(queries, lastRowids) {
            let statement = try database.prepare(query + " WHERE rowid = ?")
            // Rowids merged away leave gaps: their samples are missing, the others stand for them.
            for rowid in stride(from: 1, through: last, by: every) {
                try statement.bind(1, Int64(rowid))
                if try statement.step() {
                    let identifier = statement.storedTextBytes(1)
                    samples.append((Bytes.copy(statement.storedTextBytes(0)) ?? [], Bytes.copy(identifier) ?? [],
                                    every * loadedBytes(identifier: identifier)))
                }
                statement.reset()
            }
        }
        samples.sort { left, right in
            left.database != right.database ? left.database.lexicographicallyPrecedes(right.database) : left.identifier.lexicographicallyPrecedes(right.identifier)
        }
        var ranges: [KeyRange] = []
        var lower: (database: [UInt8], identifier: [UInt8])?
        var held = 0
        for sample in samples {
            // A range starts at a key above the one before (keys repeat among the samples).
            let above = lower.map { $0.database != sample.database || $0.identifier != sample.identifier } ?? true
            if held > 0, held + sample.bytes > target, above {
                let key = (sample.database, sample.identifier)
                ranges.append(KeyRange(lower: lower, upper: key))
                lower = key
                held = 0
            }
            held += sample.bytes
        }
        ranges.append(KeyRange(lower: lower, upper: nil))
        return ranges.count <= maximumRanges ? ranges : nil
    }
}

/// Looks up gene symbols and writes a gene list as a JSON array of symbols ordered by symbol
/// (NULL first, as SQLite sorts) and then by gene id. The symbols come from the run's
/// ``GeneSymbolTable`` when it fits the lookups' budget (a seek per gene, on a core larger than
/// the page cache, reads a page each: the drug view's CPU grew 6x for 4x lean rows), else from
/// a seek each.
private struct GeneSymbols {
    private let seek: SQLiteStatement
    private let table: GeneSymbolTable?

    init(database: SQLiteDatabase, cache: GeneSymbolCache, limitBytes: Int) throws {
        seek = try database.prepare("SELECT gene_symbol FROM genes WHERE gene_id = ?")
        table = try cache.table(from: database, limitBytes: limitBytes)
    }

    /// A gene's symbol: nil when `genes` lacks the gene, `.some(nil)` when its symbol is NULL.
    func lookUp(_ gene: [UInt8]) throws -> [UInt8]?? {
        if let table { return table.lookUp(gene.span) }
        try seek.bind(1, bytes: gene)
        defer { seek.reset() }
        return try seek.step() ? .some(Bytes.copy(seek.textBytes(0))) : nil
    }

    /// The symbol of a gene id; nil when NULL or when `genes` lacks the gene.
    func symbol(of gene: [UInt8]) throws -> [UInt8]? { try lookUp(gene) ?? nil }

    /// The symbols of the distinct `genes` that `genes` has (as the views' join with it keeps
    /// them) as a JSON array, and how many.
    func sortedSymbolsJSON(of genes: [[UInt8]?]) throws -> (count: Int, json: [UInt8]) {
        var pairs: [(symbol: [UInt8]?, gene: [UInt8])] = []
        pairs.reserveCapacity(genes.count)
        for case let gene? in genes {
            if let symbol = try lookUp(gene) { pairs.append((symbol, gene)) }
        }
        pairs.sort { left, right in
            switch (left.symbol, right.symbol) {
            case let (l?, r?) where l != r: return Bytes.precedes(l, r)
            case (nil, _?): return true
            case (_?, nil): return false
            default: return Bytes.precedes(left.gene, right.gene)
            }
        }
        return (pairs.count, JSONArray.strings(pairs.map(\.symbol)))
    }
}

/// The genes' ids and symbols, numbered in `genes`' rowid order and found by id, read by one
/// scan; immutable once read, so the fills on several connections share one
/// (``GeneSymbolCache``): the symbol lists of the drug, publication and sorted cross-reference
/// views, and the gene summaries of the transcript views (``GeneSummaries``).
final class GeneSymbolTable: Sendable {
    private let ids: ByteStringTable
    private let symbols: OptionalByteStrings

    /// Reads every gene's id and symbol, or nil once they would take more than `limitBytes`.
    /// Genes with a NULL id are left out: they match no lookup.
    static func read(from database: SQLiteDatabase, limitBytes: Int) throws -> GeneSymbolTable? {
        var ids = ByteStringTable()
        var symbols = OptionalByteStrings()
        let genes = try database.prepare("SELECT gene_id, gene_symbol FROM genes")
        while try genes.step() {
            guard let id = genes.textBytes(0) else { continue }
            ids.append(id)
            symbols.append(genes.textBytes(1))
            if ids.count % 4096 == 0, estimatedBytes(ids: ids, symbols: symbols) > limitBytes { return nil }
        }
        guard estimatedBytes(ids: ids, symbols: symbols) <= limitBytes else { return nil }
        ids.index(capacityFor: ids.count)
        return GeneSymbolTable(ids: ids, symbols: symbols)
    }

    private init(ids: ByteStringTable, symbols: OptionalByteStrings) {
        self.ids = ids
        self.symbols = symbols
    }

    /// Memory held, roughly: per gene besides its bytes, its end, its symbol's range and about
    /// two hash slots.
    private static func estimatedBytes(ids: ByteStringTable, symbols: OptionalByteStrings) -> Int {
        ids.byteCount + symbols.byteCount + ids.count * 40
    }

    var estimatedBytes: Int { Self.estimatedBytes(ids: ids, symbols: symbols) }

    /// How many genes (numbered from 0).
    var count: Int { ids.count }

    /// The number of a gene id; nil when `genes` lacks it. Ids compare as bytes, as `=` on
    /// TEXT does.
    func index(of gene: Span<UInt8>) -> Int? { ids.index(of: gene) }

    /// Calls `body` with the id of a gene number.
    func withId<R>(of index: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R { try ids.with(index, body) }

    /// Calls `body` with the symbol of a gene number (nil: NULL).
    func withSymbol<R>(of index: Int, _ body: (Span<UInt8>?) throws -> R) rethrows -> R { try symbols.with(index, body) }

    /// A gene's symbol: nil when `genes` lacks the gene, `.some(nil)` when its symbol is NULL.
    func lookUp(_ gene: Span<UInt8>) -> [UInt8]?? {
        guard let index = index(of: gene) else { return nil }
        return .some(withSymbol(of: index) { Bytes.copy($0) })
    }
}

/// The one ``GeneSymbolTable`` of a run's view fills: read by the first fill that asks and kept
/// for the others until the cache goes (the drug, publication and sorted cross-reference views
/// and the transcript views' gene summaries ask, on up to three connections at once; each
/// reading its own copy held three at once, 70 MB each on a 4x lean input). A fill that asks
/// while another reads waits for it. Every connection reads the same committed `genes`, so
/// which one reads does not matter.
final class GeneSymbolCache: Sendable {
    private enum State {
        case unread
        /// The symbols did not fit the budget: every fill seeks.
        case tooLarge
        /// The table, and the bytes it holds of the pool.
        case read(GeneSymbolTable, held: Int)
    }
    private let state = Guarded(State.unread)
    /// Where the table takes its bytes for as long as the cache keeps it (see
    /// ``ViewTableFiller/lookupPool``); nil: no pool.
    private let pool: MemoryPool?

    init(pool: MemoryPool? = nil) { self.pool = pool }

    /// The table, read from `database` by the first call; nil when it does not fit `limitBytes`
    /// (the budget of the fill that asks first). With a pool, the table holds its bytes from
    /// the asking fill's `grant`, else what the pool has left; nil when they are not there.
    func table(from database: SQLiteDatabase, limitBytes: Int, grant: MemoryGrant? = nil) throws -> GeneSymbolTable? {
        try state.withLock { state in
            switch state {
            case .read(let table, _): return table
            case .tooLarge: return nil
            case .unread:
                guard let table = try GeneSymbolTable.read(from: database, limitBytes: limitBytes) else {
                    state = .tooLarge
                    return nil
                }
                guard let pool else {
                    state = .read(table, held: 0)
                    return table
                }
                let needed = table.estimatedBytes
                var held = grant?.handOver(upTo: needed) ?? 0
                held += pool.take(upTo: needed - held)
                guard held == needed else {
                    pool.giveBack(held)
                    state = .tooLarge
                    return nil
                }
                state = .read(table, held: held)
                return table
            }
        }
    }

    /// Gives the table's bytes back to the pool; the cache reads no more (every later fill seeks).
    func release() {
        state.withLock { state in
            if case .read(_, let held) = state { pool?.giveBack(held) }
            state = .tooLarge
        }
    }
}

/// Byte-string order of SQLite's BINARY collation: `memcmp`, then the shorter first.
enum Bytes {
    /// `memcmp` order, the shorter first on a tie; NULL (nil) first.
    static func compare(_ left: Span<UInt8>?, _ right: Span<UInt8>?) -> Int {
        guard let left else { return right == nil ? 0 : -1 }
        guard let right else { return 1 }
        return left.compare(right)
    }

    /// Whether a key column's value equals `key`, NULL reading as empty.
    static func equalsKey(_ value: Span<UInt8>?, _ key: [UInt8]) -> Bool {
        guard let value else { return key.isEmpty }
        return value.elementsEqual(key)
    }

    /// A copy of the bytes; nil for NULL.
    static func copy(_ bytes: Span<UInt8>?) -> [UInt8]? {
        guard let bytes else { return nil }
        return Array(bytes)
    }

    static func precedes(_ left: [UInt8]?, _ right: [UInt8]?) -> Bool {
        switch (left, right) {
        case let (l?, r?): return l.lexicographicallyPrecedes(r)
        case (nil, _?): return true
        default: return false
        }
    }
}

/// JSON arrays of strings written as SQLite's `json_group_array` writes them.
enum JSONArray {
    static func strings<S: Sequence>(_ values: S) -> [UInt8] where S.Element == [UInt8]? {
        var out: [UInt8] = [UInt8(ascii: "[")]
        var first = true
        for value in values {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if let value {
                JSON.appendString(value.span, to: &out)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}

/// Byte strings kept end to end in one buffer, for lists rebuilt for every row of a view.
private struct ByteStrings {
    private var bytes: [UInt8] = []
    private var spans: [Range<Int>] = []
    /// Whether every string so far sorts at or after the one before it: most lists (a gene's
    /// transcripts, or the transcripts carrying an id, each read in order) need no sort.
    private var ordered = true

    var isEmpty: Bool { spans.isEmpty }

    mutating func append(_ value: Span<UInt8>) {
        let start = bytes.count
        bytes.append(value)
        if ordered, let last = spans.last { ordered = Self.precedesOrEquals(last, start..<bytes.count, in: bytes) }
        spans.append(start..<bytes.count)
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        ordered = true
    }

    private static func precedesOrEquals(_ left: Range<Int>, _ right: Range<Int>, in bytes: [UInt8]) -> Bool {
        bytes.span.extracting(left).compare(bytes.span.extracting(right)) <= 0
    }

    /// Sorts ranges of `strings` by their bytes.
    private static func sort(_ ranges: inout [Range<Int>], of strings: Span<UInt8>) {
        ranges.sort { strings.extracting($0).compare(strings.extracting($1)) < 0 }
    }

    /// Appends the distinct strings in byte order as a JSON array, as `json_group_array` would
    /// write them.
    mutating func writeSortedDistinctJSON(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        let bytes = bytes
        let strings = bytes.span
        if !ordered { Self.sort(&spans, of: strings) }
        var previous: Range<Int>?
        for span in spans {
            let string = strings.extracting(span)
            if let previous, strings.extracting(previous).elementsEqual(string) { continue }
            if previous != nil { out.append(UInt8(ascii: ",")) }
            JSON.appendString(string, to: &out)
            previous = span
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension Array where Element == UInt8 {
    /// Replaces the contents, keeping the capacity.
    mutating func replace(with bytes: Span<UInt8>?) {
        removeAll(keepingCapacity: true)
        if let bytes { append(bytes) }
    }
}
