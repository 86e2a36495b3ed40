import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseSQLite

/// What to do when several rows give different values to the same transcript
/// (`--on-duplicate`). Rows that give it the same value are no conflict under any policy.
package enum DuplicatePolicy: String, CaseIterable, Sendable, Codable {
    /// The patient fails with an error naming both ids, lines and values.
    case error
    /// The later row wins.
    case last
    /// The arithmetic mean of the rows' linear fold changes.
    case mean
}

/// The counts of one patient (docs/spec.md §5.2), as the report and `metadata_json` record them.
///
/// `rows` = `skipped` + `total`; `total` = `matched` + `unmatched`. Of the matched rows,
/// `nonPositive` and `outOfRange` are rejected; the others give values, `baselineRows` of them
/// exactly 1.0. `stored` counts the transcripts whose final value (after duplicates are
/// combined) is not 1.0: the rows of `expression_data`.
package struct PatientCounts: Codable, Equatable, Sendable {
    /// Data rows read (the header and blank lines not counted).
    package var rows = 0
    /// Rows without a numeric fold change or dropped by `--max-padj`: the sum of the next three.
    package var skipped = 0
    /// Fold change empty or `NA` (and the like).
    package var skippedMissing = 0
    /// Fold change not a finite number (`NaN`, `Inf`, text): also a reject.
    package var skippedNonNumeric = 0
    /// Adjusted p-value above `--max-padj` or missing, when `--max-padj` is given.
    package var skippedPadj = 0
    /// Rows with a numeric fold change: `total_transcripts_uploaded`.
    package var total = 0
    package var matched = 0
    package var unmatched = 0
    /// How the matched rows matched: by transcript id, gene id or gene symbol.
    package var matchedByTranscriptId = 0
    package var matchedByGeneId = 0
    package var matchedBySymbol = 0
    /// Matched rows whose fold change is exactly 1.0 (not stored unless combined with another row).
    package var baselineRows = 0
    /// Matched rows with a linear fold change ≤ 0: rejects.
    package var nonPositive = 0
    /// Matched rows whose log2 value gives 0 or infinity as 2^x: rejects.
    package var outOfRange = 0
    /// Matched rows whose id is a symbol several genes share (`Metazoa_SRP`): each gave its
    /// value to every one of those genes (docs/spec.md §5.2). ``PatientExpression/sharedSymbols`` names them.
    package var sharedSymbolRows = 0
    /// Matched rows that gave a value to a transcript that already had one: the same value
    /// (kept once, whatever `--on-duplicate` says) or another one (combined by `--on-duplicate`).
    package var duplicateRows = 0
    /// Rows of `expression_data`.
    package var stored = 0
    /// Legacy per-patient dumps: the source's rows with a fold change other than 1.0, which
    /// `stored` must equal (docs/spec.md §7). A row that repeats an earlier row's transcript and value
    /// (`ENST…5.7` and `ENST…5`, both 2.0) is one source row: it gives one stored row.
    package var sourceNonBaselineRows: Int?

    package init() {}

    /// `matched / total`, 0 for an empty file.
    package var matchingSuccessRate: Double { total == 0 ? 0 : Double(matched) / Double(total) }
}

/// One patient's fold changes on their way from the input to `expression_data`: matched
/// against the core, checked, combined per transcript and counted (docs/spec.md §5.2).
///
/// Memory is a few bytes per core transcript, whatever the input's size: values are kept in
/// slots indexed by the transcript's position in the ``CoreTranscriptIndex``. The slots and the
/// running counts are stored properties updated on every row; release builds check exclusivity
/// at compile time only (Package.swift), so those updates pay no dynamic check. When the run's
/// `--memory-limit` cannot hold them, the slots live in a ``SlotFile`` instead, and a core too
/// large for it is read through a ``CoreTranscriptReader`` (docs/decisions.md,
/// "patients --memory-limit"): same values, same order.
package final class PatientExpression {
    /// The core the ids are matched against.
    package let core: CoreLookup
    /// The in-memory index, when the core is in memory.
    private let index: CoreTranscriptIndex?
    /// The core's gene and symbol spans, which a ``CoreTranscriptIndex/Match`` indexes (empty
    /// for a core in its file).
    private let members: [Int32]
    private let mapping: SymbolMapping
    private let onDuplicate: DuplicatePolicy
    private let maxPadj: Double?
    private let rejects: RejectLog
    private let file: String
    private let table: String

    /// What a transcript has been given so far.
    fileprivate struct Slot {
        /// Sum of the linear values.
        var sum: Double
        /// How many values.
        var count: Int32
        /// The line that gave the first, for duplicate errors.
        var firstLine: Int32
        /// Where the id of that line, as the file wrote it, is in `State.firstIds`
        /// (`--on-duplicate error` only).
        var firstId: UInt32
        var firstIdLength: UInt32
    }

    /// The counts and the layout of the rows, changed on every row.
    private struct State {
        var counts = PatientCounts()
        var nonBaselineRows = 0
        /// Rows with a value other than 1.0 that repeat an earlier row's transcript and value.
        var repeatedNonBaselineRows = 0
        var scale = FoldChangeScale.linear
        /// The ids of the rows that gave transcripts their first value, for duplicate errors:
        /// one per such row, so at most one per core transcript.
        var firstIds: [UInt8] = []
        /// The spans of the shared symbols matched (see ``CoreTranscriptIndex/sharedSymbol(of:)``).
        var sharedSymbols: [Int32: String] = [:]
        /// The shared symbols matched in a core read from its file, by name.
        var sharedSymbolNames = Set<String>()
    }

    /// The slots by transcript position, in memory; empty when they are in `slotFile`.
    private var slots: [Slot]
    private let slotFile: SlotFile?
    private var state = State()
    /// The columns rejects name, set by ``begin(idColumn:valueColumn:scale:)``.
    private var idColumn = "id"
    private var valueColumn = "value"

    /// The counts so far.
    package var counts: PatientCounts { state.counts }
    /// Rows with a numeric fold change other than 1.0 (before matching).
    package var nonBaselineRows: Int { state.nonBaselineRows }
    /// The symbols several genes share that rows matched, as the core spells them, sorted.
    package var sharedSymbols: [String] { (Array(state.sharedSymbols.values) + state.sharedSymbolNames).sorted() }

    /// - Parameters:
    ///   - file: the input's path, for errors.
    ///   - table: the table rejects are reported under (`patient_p1.expression_data`).
    ///   - slotsInFile: keep the slots in a temporary file rather than in memory.
    ///   - slotCacheKilobytes: the page cache of that file.
    package init(core: CoreLookup, mapping: SymbolMapping, onDuplicate: DuplicatePolicy, maxPadj: Double?,
                rejects: RejectLog, file: String, table: String, slotsInFile: Bool = false, slotCacheKilobytes: Int = 2048) throws {
        self.core = core
        switch core {
        case let .memory(index):
            self.index = index
            members = index.members
        case .file:
            index = nil
            members = []
        }
        self.mapping = mapping
        self.onDuplicate = onDuplicate
        self.maxPadj = maxPadj
        self.rejects = rejects
        self.file = file
        self.table = table
        slotFile = slotsInFile ? try SlotFile(cacheKilobytes: slotCacheKilobytes) : nil
        slots = Array(repeating: Slot(sum: 0, count: 0, firstLine: 0, firstId: 0, firstIdLength: 0), count: slotsInFile ? 0 : core.transcriptCount)
    }

    /// Says which columns the rows come from (for rejects) and how the fold change is written.
    package func begin(idColumn: String, valueColumn: String, scale: FoldChangeScale) {
        self.idColumn = idColumn
        self.valueColumn = valueColumn
        state.scale = scale
    }

    /// Takes one data row.
    /// - Parameters:
    ///   - id: the id field (nil for NULL).
    ///   - value: the fold-change field, parsed.
    ///   - padj: the adjusted p-value field, parsed; only looked at with `--max-padj`.
    ///   - row: the row, for the line, offset and raw text of rejects.
    package func add(id: Span<UInt8>?, value: NumberField, padj: NumberField?, row: RowBuffer) throws {
        state.counts.rows += 1
        let number: Double
        switch value {
        case .missing:
            state.counts.skipped += 1
            state.counts.skippedMissing += 1
            return
        case .nonNumeric:
            state.counts.skipped += 1
            state.counts.skippedNonNumeric += 1
            return try reject(row, "non_numeric_value", "the fold change is not a finite number", field: valueColumn)
        case let .number(parsed):
            number = parsed
        }
        if let maxPadj {
            guard case let .number(p)? = padj, p <= maxPadj else {
                state.counts.skipped += 1
                state.counts.skippedPadj += 1
                return
            }
        }
        state.counts.total += 1
        let scale = state.scale
        let linear = scale == .log2 ? exp2(number) : number
        if linear != 1.0 { state.nonBaselineRows += 1 }

        guard let id else { return try rejectMissingId(row) }
        let idText = Identifiers.trimmed(id)
        guard !idText.isEmpty, !NumberField.isMissingMarker(idText) else { return try rejectMissingId(row) }
        let kind: CoreTranscriptIndex.MatchKind
        var indexMatch: CoreTranscriptIndex.Match?
        var fileMatch: CoreTranscriptReader.Match?
        switch core {
        case let .memory(index):
            indexMatch = index.match(idText, mapping: mapping)
            kind = indexMatch?.kind ?? .transcript
        case let .file(reader):
            fileMatch = try reader.match(idText, mapping: mapping)
            kind = fileMatch?.kind ?? .transcript
        }
        guard indexMatch != nil || fileMatch != nil else {
            state.counts.unmatched += 1
            return try reject(row, "unmatched_id", "\(PatientId.quoted(String(utf8: idText))) matches no transcript id, gene id or gene symbol of the core", field: idColumn)
        }
        state.counts.matched += 1
        switch kind {
        case .transcript: state.counts.matchedByTranscriptId += 1
        case .gene: state.counts.matchedByGeneId += 1
        case .symbol: state.counts.matchedBySymbol += 1
        }
        if let indexMatch, indexMatch.isSharedSymbol {
            state.counts.sharedSymbolRows += 1
            if state.sharedSymbols[indexMatch.sharedSpan] == nil { state.sharedSymbols[indexMatch.sharedSpan] = index?.sharedSymbol(of: indexMatch) }
        } else if let name = fileMatch?.sharedSymbol {
            state.counts.sharedSymbolRows += 1
            state.sharedSymbolNames.insert(name)
        }
        guard linear > 0 else {
            if scale == .linear {
                state.counts.nonPositive += 1
                return try reject(row, "non_positive_fold_change", "a linear fold change must be above 0, found \(number)", field: valueColumn)
            }
            state.counts.outOfRange += 1
            return try reject(row, "fold_change_out_of_range", "2^\(number) is 0 as a double", field: valueColumn)
        }
        guard linear.isFinite else {
            state.counts.outOfRange += 1
            return try reject(row, "fold_change_out_of_range", "2^\(number) is beyond the largest double", field: valueColumn)
        }
        if linear == 1.0 { state.counts.baselineRows += 1 }

        var giving = Giving(value: linear, line: Int32(clamping: row.line))
        if let indexMatch {
            for member in indexMatch.members {
                // A transcript's own span is the identity part of `members`: skip the (cache-cold) load.
                try give(&giving, to: kind == .transcript ? member : Int(members[member]), id: idText, row: row)
            }
        } else if let fileMatch {
            for position in fileMatch.positions { try give(&giving, to: position, id: idText, row: row) }
        }
        if giving.duplicate { state.counts.duplicateRows += 1 }
        if giving.duplicate, giving.repeated, linear != 1.0 { state.repeatedNonBaselineRows += 1 }
    }

    /// One row's value on its way to the slots of its transcripts.
    private struct Giving {
        var value: Double
        var line: Int32
        /// Whether a transcript had a value already.
        var duplicate = false
        /// Whether every transcript had this very value already.
        var repeated = true
        /// Where the row's id was kept for duplicate errors (slots in memory only).
        var firstId: (start: UInt32, length: UInt32)?
    }

    /// Gives the transcript at `position` the row's value, as `--on-duplicate` says.
    @inline(__always) private func give(_ giving: inout Giving, to position: Int, id: Span<UInt8>, row: RowBuffer) throws {
        let slot = try slotFile?.slot(at: position) ?? slots[position]
        if slot.count == 0 {
            if let slotFile {
                try slotFile.insert(Slot(sum: giving.value, count: 1, firstLine: giving.line, firstId: 0, firstIdLength: 0), at: position,
                                    firstId: onDuplicate == .error ? id : nil)
            } else {
                // Only an error names the first id; the other policies need not keep it.
                if onDuplicate == .error, giving.firstId == nil { giving.firstId = keepFirstId(id) }
                slots[position] = Slot(sum: giving.value, count: 1, firstLine: giving.line,
                                       firstId: giving.firstId?.start ?? 0, firstIdLength: giving.firstId?.length ?? 0)
            }
            giving.repeated = false
            return
        }
        giving.duplicate = true
        // The same value again (a v0.5 dump holding `ENST…5.7` and `ENST…5`) is no conflict
        // (docs/spec.md §5.2): the transcript keeps it.
        let same = (slot.count == 1 ? slot.sum : slot.sum / Double(slot.count)) == giving.value
        if !same { giving.repeated = false }
        var updated = slot
        switch onDuplicate {
        case .error:
            if !same { throw try conflict(at: position, slot: slot, id: id, value: giving.value, row: row) }
            return
        case .last:
            updated.sum = giving.value
            updated.count = 1
        case .mean:
            updated.sum += giving.value
            updated.count += 1
        }
        if let slotFile { try slotFile.update(updated, at: position) } else { slots[position] = updated }
    }

    /// A row with a fold change but no id (NULL, empty or a missing-value marker).
    private func rejectMissingId(_ row: RowBuffer) throws {
        state.counts.unmatched += 1
        try reject(row, "missing_id", "the row has a fold change but no id", field: idColumn)
    }

    /// Appends the id as the file wrote it to `firstIds`.
    private func keepFirstId(_ id: Span<UInt8>) -> (start: UInt32, length: UInt32) {
        let start = UInt32(clamping: state.firstIds.count)
        state.firstIds.append(id)
        return (start, UInt32(clamping: id.count))
    }

    /// The error for a row that gives the transcript at `position` a value other than the one an
    /// earlier row gave it: both ids as the file wrote them, both lines, both values.
    private func conflict(at position: Int, slot: Slot, id: Span<UInt8>, value: Double, row: RowBuffer) throws -> MediabaseError {
        let firstId: String
        if let slotFile {
            firstId = try slotFile.firstId(at: position)
        } else {
            let start = Int(slot.firstId)
            firstId = String(decoding: state.firstIds[start..<(start + Int(slot.firstIdLength))], as: UTF8.self)
        }
        let transcript = try core.transcriptId(at: position)
        func shown(_ id: String) -> String { PatientId.quoted(id) + (id == transcript ? "" : " (\(transcript) in the core)") }
        return MediabaseError.malformedInput(
            SourceLocation(file: file, line: row.line),
            expected: "one value per transcript, but line \(row.line) gives \(shown(String(utf8: id))) the fold change \(value) and line \(slot.firstLine) gave \(shown(firstId)) \(slot.sum). Use --on-duplicate last or --on-duplicate mean to combine them")
    }

    /// Calls `body` with each transcript id and its final fold change, in transcript-id order,
    /// leaving out values of exactly 1.0 (sparse storage), and counts them as stored.
    package func forEachStored(_ body: (String, Double) throws -> Void) throws {
        var stored = 0
        func take(_ position: Int, _ slot: Slot) throws {
            let value = slot.count == 1 ? slot.sum : slot.sum / Double(slot.count)
            guard value != 1.0 else { return }
            try body(try core.transcriptId(at: position), value)
            stored += 1
        }
        if let slotFile {
            try slotFile.forEachInOrder(take)
        } else {
            for (position, slot) in slots.enumerated() where slot.count > 0 { try take(position, slot) }
        }
        state.counts.stored = stored
    }

    /// Records what only the reader knows: the source's non-baseline rows of a legacy dump.
    package func recordSourceNonBaselineRows() {
        state.counts.sourceNonBaselineRows = state.nonBaselineRows - state.repeatedNonBaselineRows
    }

    private func reject(_ row: RowBuffer, _ reason: String, _ detail: String, field: String) throws {
        try rejects.reject(reason: reason, detail: detail, table: table, line: row.line, byteOffset: row.byteOffset, field: field, raw: row.rawBytes)
    }
}

extension PatientExpression {
    /// The slots of a patient whose slots the memory budget cannot hold: a private temporary
    /// SQLite database (removed when closed) keyed by transcript position, with a small page
    /// cache; a transcript without a row has no value yet.
    fileprivate final class SlotFile {
        private let database: SQLiteDatabase
        private let select: SQLiteStatement
        private let insertRow: SQLiteStatement
        private let updateRow: SQLiteStatement
        private let selectFirstId: SQLiteStatement

        init(cacheKilobytes: Int) throws {
            // An empty file name is SQLite's private temporary database, removed on close.
            database = try SQLiteDatabase(path: "")
            try database.execute("""
                PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
                PRAGMA temp_store = FILE; PRAGMA cache_size = -\(cacheKilobytes);
                BEGIN;
                CREATE TABLE slots (position INTEGER PRIMARY KEY, sum REAL NOT NULL, count INTEGER NOT NULL, first_line INTEGER NOT NULL, first_id BLOB);
                """)
            select = try database.prepare("SELECT sum, count, first_line FROM slots WHERE position = ?")
            insertRow = try database.prepare("INSERT INTO slots VALUES (?, ?, ?, ?, ?)")
            updateRow = try database.prepare("UPDATE slots SET sum = ?, count = ? WHERE position = ?")
            selectFirstId = try database.prepare("SELECT first_id FROM slots WHERE position = ?")
        }

        /// The slot at `position`; a count of 0 when it has no value yet.
        func slot(at position: Int) throws -> Slot {
            try select.bind(1, Int64(position))
            defer { select.reset(clearingBindings: false) }
            guard try select.step() else { return Slot(sum: 0, count: 0, firstLine: 0, firstId: 0, firstIdLength: 0) }
            return Slot(sum: select.double(0), count: Int32(select.int64(1)), firstLine: Int32(select.int64(2)), firstId: 0, firstIdLength: 0)
        }

        /// The first value of the transcript at `position`, with the id of its row (for duplicate errors).
        func insert(_ slot: Slot, at position: Int, firstId: Span<UInt8>?) throws {
            try insertRow.bind(1, Int64(position))
            try insertRow.bind(2, slot.sum)
            try insertRow.bind(3, Int64(slot.count))
            try insertRow.bind(4, Int64(slot.firstLine))
            try insertRow.bind(5, blob: firstId)
            try insertRow.run()
        }

        func update(_ slot: Slot, at position: Int) throws {
            try updateRow.bind(1, slot.sum)
            try updateRow.bind(2, Int64(slot.count))
            try updateRow.bind(3, Int64(position))
            try updateRow.run()
        }

        func firstId(at position: Int) throws -> String {
            try selectFirstId.bind(1, Int64(position))
            defer { selectFirstId.reset() }
            guard try selectFirstId.step() else { return "" }
            return String(decoding: selectFirstId.blob(0), as: UTF8.self)
        }

        /// Calls `body` with every slot that has a value, by position.
        func forEachInOrder(_ body: (Int, Slot) throws -> Void) throws {
            let rows = try database.prepare("SELECT position, sum, count, first_line FROM slots ORDER BY position")
            while try rows.step() {
                try body(Int(rows.int64(0)), Slot(sum: rows.double(1), count: Int32(rows.int64(2)), firstLine: Int32(rows.int64(3)), firstId: 0, firstIdLength: 0))
            }
        }
    }
}
