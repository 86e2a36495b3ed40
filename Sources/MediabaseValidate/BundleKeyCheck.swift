import MediabaseBytes
import MediabaseConcurrency
import MediabaseModel
import MediabaseOutput
import MediabasePatients

/// The core's keys, checked on a bundle's COPY rows as PostgreSQL checks them when the
/// constraints part runs (docs/spec.md §7): no two rows of a table share its unique key (the
/// primary keys and unique indexes of `constraints.pg.sql`, ``CoreTable/uniqueKey``), and every
/// foreign key's value is one of its parent's. A bundle that passes loads without a key error.
///
/// Values are compared as PostgreSQL compares the text it reads: each key field is taken in
/// canonical COPY text (a field with an escape is decoded and escaped again), `\N` is NULL (a
/// key with a NULL never repeats, except in `coalesce(pathway_id, '')`, where it is the empty
/// text), and the fields are hashed (``ContentHash``) joined by a TAB, which canonical text
/// never holds.
///
/// Memory follows the core's ids, not its rows: the parents' keys (genes, transcripts, drugs,
/// pathways) are kept to the end, but a link table's keys only for the rows of one value of its
/// first key column at a time, since the export writes a gene's or a transcript's rows
/// together. Where a first value comes back after others (rows not together), its keys are
/// checked again across all its rows in a second pass (``recheck``) that keeps only theirs.
final class BundleKeyCheck: CopyRowObserver {
    struct ForeignKey: Equatable {
        var column: String
        var parent: String
        var parentColumn: String
    }

    /// Problems quoted per check; the counts say how many there were.
    static let examples = 5

    /// A set of value hashes, shared by reference (the blocks hold the parents' sets).
    final class Values {
        var set = FlatHashTable()

        func contains(_ value: ContentHash) -> Bool { set[value] != nil }
        /// Adds `value`; false when it was there.
        @discardableResult func insert(_ value: ContentHash) -> Bool { set.insert(value) }
    }

    /// Per table, its key's columns (``CoreTable/uniqueKeyColumns``).
    private let uniqueKeys: [String: [(name: String, nullIsEmpty: Bool)]]
    private let foreignKeys: [String: [ForeignKey]]
    /// The columns whose values some foreign key refers to, as `table.column`.
    private let referenced: Set<String>
    /// The tables with a key or a referenced column.
    private let tablesWithKeys: Set<String>

    /// The values of each referenced column (``referenced``), once its block has started.
    private var parentValues: [String: Values] = [:]
    /// The tables whose blocks have ended.
    private var tablesRead = Set<String>()
    /// Per foreign key (`table.column → parent.column`) whose parent's block came later: the
    /// distinct values, checked at ``finish()``.
    private var pending: [String: (key: ForeignKey, table: String, values: Values)] = [:]
    /// Per table, the first key values that came back after others (see ``recheck()``).
    private var scatteredValues: [String: Values] = [:]

    /// Each repeated key: its table, the hash of its first value when the second pass may see
    /// it again (a key of several columns in the first pass), and a line about it (for the first few).
    private var duplicates: [(table: String, first: ContentHash?, text: String?)] = []
    private var orphans: [String: (count: Int, example: String)] = [:]
    private var orphanOrder: [String] = []

    /// A foreign key of the block being read.
    private struct Foreign {
        var index: Int
        var key: ForeignKey
        /// The parent's values when its block was read before; else the values to check at the end.
        var parent: Values?
        var pending: Values?
        /// The last value found in the parent, which the next rows often repeat.
        var lastFound: ContentHash?
    }

    /// The block being read.
    private final class Block {
        let table: String
        let part: String
        /// The unique key's columns' positions, and whether each counts NULL as the empty text.
        let key: [(index: Int, nullIsEmpty: Bool)]
        var foreign: [Foreign]
        /// Referenced columns: position and their values.
        let collected: [(index: Int, values: Values)]
        /// The last position any of them needs.
        let lastIndex: Int
        /// The current first key value and the keys of its rows (keys of more than one column).
        var group: ContentHash?
        var groupKeys = FlatHashTable()
        /// The first key values whose rows have ended (for a key of one column, the keys).
        var groupsEnded = FlatHashTable()
        /// In the second pass: the first key values to look at, and their keys so far.
        let recheck: Values?
        var recheckKeys = FlatHashTable()

        init(table: String, part: String, key: [(index: Int, nullIsEmpty: Bool)], foreign: [Foreign], collected: [(index: Int, values: Values)],
             recheck: Values?) {
            self.table = table
            self.part = part
            self.key = key
            self.foreign = foreign
            self.collected = collected
            self.recheck = recheck
            lastIndex = (key.map(\.index) + foreign.map(\.index) + collected.map(\.index)).max() ?? -1
        }
    }

    private var block: Block?
    /// Whether this is the second pass (``recheck()``).
    private var rechecking = false

    private let row = RowBuffer()
    /// The row's fields up to the last one looked at, and their hashes once taken.
    private var fields: [Range<Int>] = []
    private var hashed: [ContentHash?] = []
    private var canonical: [UInt8] = []

    /// The core's keys: ``CoreTable/uniqueKey`` and the foreign keys of `constraints`
    /// (the text of `constraints.pg.sql`).
    init(constraints: String = SchemaFiles.postgresConstraints) {
        var unique: [String: [(name: String, nullIsEmpty: Bool)]] = [:]
        for table in CoreTable.allCases {
            if let key = table.uniqueKeyColumns { unique[table.rawValue] = key }
        }
        var foreign: [String: [ForeignKey]] = [:]
        for line in constraints.split(separator: "\n") {
            guard let key = Self.foreignKey(in: String(line)) else { continue }
            foreign[key.table, default: []].append(key.key)
        }
        uniqueKeys = unique
        foreignKeys = foreign
        referenced = Set(foreign.values.flatMap { $0.map { "\($0.parent).\($0.parentColumn)" } })
        tablesWithKeys = Set(unique.keys).union(foreign.keys).union(foreign.values.flatMap { $0.map(\.parent) })
    }

    /// Reads only immutable definitions, so any thread may ask.
    func wantsRows(of table: String) -> Bool { tablesWithKeys.contains(table) }

    /// The foreign key of `ALTER TABLE ONLY public.t ADD CONSTRAINT n FOREIGN KEY (c) REFERENCES public.p (pc);`.
    static func foreignKey(in line: String) -> (table: String, key: ForeignKey)? {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == ";" }).map(String.init)
        guard words.count >= 11, words[0] == "ALTER", let foreignAt = words.firstIndex(of: "FOREIGN"), foreignAt + 5 <= words.count - 1,
              words[foreignAt + 1] == "KEY", words[foreignAt + 3] == "REFERENCES" else { return nil }
        func bare(_ name: String) -> String { name.hasPrefix("public.") ? String(name.dropFirst(7)) : name }
        return (bare(words[3]), ForeignKey(column: words[foreignAt + 2], parent: bare(words[foreignAt + 4]), parentColumn: words[foreignAt + 5]))
    }

    /// Whether some first key values' rows were not together (then ``recheck()``).
    var hasScattered: Bool { !scatteredValues.isEmpty }

    /// Reads the blocks again, looking only at the rows of the first key values that were not
    /// together: their keys across all their rows.
    func recheck() {
        rechecking = true
    }

    func blockStarted(table: String, columns: [String], part: String) {
        let position = { (name: String) in columns.firstIndex(of: name) }
        var key: [(index: Int, nullIsEmpty: Bool)] = []
        if let columnsOfKey = uniqueKeys[table] {
            let found = columnsOfKey.compactMap { column in position(column.name).map { (index: $0, nullIsEmpty: column.nullIsEmpty) } }
            if found.count == columnsOfKey.count { key = found }
        }
        guard !rechecking else {
            let recheck = scatteredValues[table]
            block = Block(table: table, part: part, key: recheck == nil ? [] : key, foreign: [], collected: [], recheck: recheck)
            return
        }
        let foreign: [Foreign] = (foreignKeys[table] ?? []).compactMap { key in
            guard let index = position(key.column) else { return nil }
            if tablesRead.contains(key.parent), let parent = parentValues["\(key.parent).\(key.parentColumn)"] {
                return Foreign(index: index, key: key, parent: parent)
            }
            let name = "\(table).\(key.column) → \(key.parent).\(key.parentColumn)"
            if pending[name] == nil { pending[name] = (key, table, Values()) }
            return Foreign(index: index, key: key, pending: pending[name]!.values)
        }
        let collected: [(index: Int, values: Values)] = columns.indices.compactMap { index in
            let name = "\(table).\(columns[index])"
            guard referenced.contains(name) else { return nil }
            let values = parentValues[name] ?? Values()
            parentValues[name] = values
            return (index, values)
        }
        block = Block(table: table, part: part, key: key, foreign: foreign, collected: collected, recheck: nil)
    }

    func blockEnded() {
        guard let ended = block else { return }
        block = nil
        tablesRead.insert(ended.table)
    }

    func row(_ line: Span<UInt8>, tabs: Span<Int>, line number: Int) {
        guard let current = block, current.lastIndex >= 0, current.lastIndex <= tabs.count else { return }
        fields.removeAll(keepingCapacity: true)
        for index in 0...current.lastIndex {
            fields.append((index == 0 ? 0 : tabs[index - 1] + 1)..<(index < tabs.count ? tabs[index] : line.count))
        }
        hashed.removeAll(keepingCapacity: true)
        for _ in 0...current.lastIndex { hashed.append(nil) }
        let decoded = needsDecoding(line, current)
        if decoded {
            row.reset()
            _ = CopyText.decodeRow(line, into: row)
        }
        // A key of one column that foreign keys refer to (a gene's id): its values are its keys.
        var keyIsNew: Bool?
        for (index, values) in current.collected {
            guard let value = canonicalHash(line, index, decoded: decoded, nullIsEmpty: false) else { continue }
            let new = values.insert(value)
            if current.key.count == 1, current.key[0].index == index, !current.key[0].nullIsEmpty { keyIsNew = new }
        }
        for slot in current.foreign.indices {
            let index = current.foreign[slot].index
            guard let value = canonicalHash(line, index, decoded: decoded, nullIsEmpty: false), current.foreign[slot].lastFound != value else { continue }
            if let parent = current.foreign[slot].parent {
                if parent.contains(value) {
                    current.foreign[slot].lastFound = value
                } else {
                    orphan(current.table, current.foreign[slot].key, example: "\(current.part) line \(number): '\(fieldText(line, index, decoded: decoded))'")
                }
            } else {
                current.foreign[slot].pending?.insert(value)
            }
        }
        guard !current.key.isEmpty,
              let first = canonicalHash(line, current.key[0].index, decoded: decoded, nullIsEmpty: current.key[0].nullIsEmpty) else { return }
        if let recheck = current.recheck {
            guard recheck.contains(first), let whole = keyHash(line, current.key, decoded: decoded) else { return }
            if !current.recheckKeys.insert(whole) { duplicate(current, line, number, decoded: decoded, first: nil) }
            return
        }
        if current.key.count == 1 {
            // The key is the first value: the values seen are the keys seen.
            if !(keyIsNew ?? current.groupsEnded.insert(first)) { duplicate(current, line, number, decoded: decoded, first: nil) }
            return
        }
        if current.group != first {
            if let previous = current.group { current.groupsEnded.insert(previous) }
            if current.groupsEnded[first] != nil {
                let values = scatteredValues[current.table] ?? Values()
                scatteredValues[current.table] = values
                values.insert(first)
            }
            current.group = first
            // Cleared by a new table when the last value's rows were many: clearing walks every slot.
            if current.groupKeys.capacity > 256 { current.groupKeys = FlatHashTable() } else { current.groupKeys.removeAll() }
        }
        guard let whole = keyHash(line, current.key, decoded: decoded) else { return }
        if !current.groupKeys.insert(whole) { duplicate(current, line, number, decoded: decoded, first: first) }
    }

    /// Checks the foreign keys whose parent's block came after the child's.
    func finish() {
        for name in pending.keys.sorted() {
            let (key, table, values) = pending[name]!
            guard values.set.count > 0 else { continue }
            let parent = parentValues["\(key.parent).\(key.parentColumn)"] ?? Values()
            var missing = 0
            values.set.forEachKey { if !parent.contains($0) { missing += 1 } }
            for _ in 0..<missing { orphan(table, key, example: "a value of a row before \(key.parent)'s block") }
        }
        pending.removeAll()
    }

    /// The keys that repeat: how many, and lines about the first few. A repeat the first pass
    /// saw among rows that the second pass read again (``hasScattered``) is counted there.
    var repeatedKeys: (count: Int, examples: [String]) {
        let counted = duplicates.filter { record in
            guard let first = record.first else { return true }
            return scatteredValues[record.table]?.contains(first) != true
        }
        return (counted.count, Array(counted.compactMap(\.text).prefix(Self.examples)))
    }

    /// One line per foreign key with values not in its parent.
    var orphanProblems: [String] {
        orphanOrder.map { name in "\(name): \(orphans[name]!.count) missing, e.g. \(orphans[name]!.example)" }
    }

    // MARK: Fields

    /// Whether a field the block looks at holds a backslash (an escape, or `\N`).
    private func needsDecoding(_ line: Span<UInt8>, _ block: Block) -> Bool {
        let end = fields[block.lastIndex].upperBound
        return line.firstIndex(of: ASCII.backslash, from: 0, to: end) != nil
    }

    /// The hash of field `index` in canonical COPY text; nil for NULL unless `nullIsEmpty`.
    /// Kept for the row (``hashed``): a link table's first key column is its foreign key too.
    private func canonicalHash(_ line: Span<UInt8>, _ index: Int, decoded: Bool, nullIsEmpty: Bool) -> ContentHash? {
        if let known = hashed[index], !decoded || !nullIsEmpty { return known }
        let hash = computeHash(line, index, decoded: decoded, nullIsEmpty: nullIsEmpty)
        if !nullIsEmpty { hashed[index] = hash }
        return hash
    }

    private func computeHash(_ line: Span<UInt8>, _ index: Int, decoded: Bool, nullIsEmpty: Bool) -> ContentHash? {
        guard decoded else { return ContentHash(line.extracting(fields[index])) }
        var out: [UInt8] = []
        swap(&out, &canonical)
        defer { swap(&out, &canonical) }
        out.removeAll(keepingCapacity: true)
        guard appendCanonical(index, nullIsEmpty: nullIsEmpty, to: &out) else { return nil }
        return ContentHash(out.span)
    }

    /// Appends field `index` of the decoded ``row`` in canonical COPY text to `out`; false for
    /// NULL unless `nullIsEmpty`.
    private func appendCanonical(_ index: Int, nullIsEmpty: Bool, to out: inout [UInt8]) -> Bool {
        let row = row
        guard let bytes = row.bytes(index) else { return nullIsEmpty }
        CopyText.encodeField(bytes, into: &out)
        return true
    }

    /// The hash of the key's fields joined by TABs; nil when one is NULL (the key never repeats).
    private func keyHash(_ line: Span<UInt8>, _ key: [(index: Int, nullIsEmpty: Bool)], decoded: Bool) -> ContentHash? {
        var out: [UInt8] = []
        swap(&out, &canonical)
        defer { swap(&out, &canonical) }
        out.removeAll(keepingCapacity: true)
        for (position, column) in key.enumerated() {
            if position > 0 { out.append(ASCII.tab) }
            if decoded {
                guard appendCanonical(column.index, nullIsEmpty: column.nullIsEmpty, to: &out) else { return nil }
            } else {
                out.append(line.extracting(fields[column.index]))
            }
        }
        return ContentHash(out.span)
    }

    /// Field `index` as text, for a message.
    private func fieldText(_ line: Span<UInt8>, _ index: Int, decoded: Bool) -> String {
        if decoded { return row.string(index) ?? "NULL" }
        return String(utf8: line.extracting(fields[index]))
    }

    private func duplicate(_ block: Block, _ line: Span<UInt8>, _ number: Int, decoded: Bool, first: ContentHash?) {
        // Lines for a few more than are shown: some may be dropped as counted again (``repeatedKeys``).
        var text: String?
        if duplicates.count < 4 * Self.examples {
            let columns = uniqueKeys[block.table]!.map(\.name)
            let values = block.key.map { "'\(fieldText(line, $0.index, decoded: decoded))'" }
            text = "\(block.table) (\(columns.joined(separator: ", "))) = (\(values.joined(separator: ", "))) again at \(block.part) line \(number)"
        }
        duplicates.append((block.table, first, text))
    }

    private func orphan(_ table: String, _ key: ForeignKey, example: String) {
        let name = "\(table).\(key.column) → \(key.parent).\(key.parentColumn)"
        if orphans[name] == nil {
            orphanOrder.append(name)
            orphans[name] = (0, example)
        }
        orphans[name]!.count += 1
    }
}

/// Runs a ``CopyRowObserver`` on a thread of its own: the rows are copied into batches on the
/// scanning thread and replayed, in order, on the observer's, which sees the calls it would
/// have seen directly. The bundle's key checks take about as long as decompressing and scanning
/// the parts; so both cores share the work. At most ``queueCapacity`` batches of about
/// ``batchSize`` bytes wait.
final class ThreadedRowObserver: CopyRowObserver {
    private enum Operation: UInt8 { case start = 1, row, end }

    static let batchSize = 1 << 20
    static let queueCapacity = 4

    private var batch: [UInt8] = []
    private var pipe: BatchPipe!
    private let next: CopyRowObserver
    /// Whether the block being read has rows the observer looks at.
    private var forwarding = false

    init(next: CopyRowObserver) {
        self.next = next
        pipe = BatchPipe(capacity: Self.queueCapacity, batchSize: Self.batchSize) { batch in
            Self.replay(batch, into: next)
        }
        batch = pipe.emptyBatch()
    }

    func wantsRows(of table: String) -> Bool { next.wantsRows(of: table) }

    func blockStarted(table: String, columns: [String], part: String) {
        forwarding = next.wantsRows(of: table)
        batch.append(Operation.start.rawValue)
        RowBatch.appendField(table, to: &batch)
        RowBatch.appendField(part, to: &batch)
        RowBatch.appendWord(UInt64(columns.count), to: &batch)
        for column in columns { RowBatch.appendField(column, to: &batch) }
    }

    func row(_ line: Span<UInt8>, tabs: Span<Int>, line number: Int) {
        guard forwarding else { return }
        batch.append(Operation.row.rawValue)
        RowBatch.appendWord(UInt64(number), to: &batch)
        RowBatch.appendWord(UInt64(tabs.count), to: &batch)
        for index in tabs.indices { RowBatch.appendWord(UInt64(tabs[index]), to: &batch) }
        RowBatch.appendField(line, to: &batch)
        // The consumer cannot fail: what submit could throw is nothing here.
        if batch.count >= Self.batchSize { try? pipe.submit(&batch) }
    }

    func blockEnded() {
        batch.append(Operation.end.rawValue)
    }

    /// Replays what is left and waits for the observer's thread. Call it on every path, so the
    /// thread never outlives the scan.
    func close() throws {
        try pipe.submit(&batch)
        try pipe.close()
    }

    private static func replay(_ batch: [UInt8], into next: CopyRowObserver) {
        var reader = RowBatchReader(batch.span)
        var tabs: [Int] = []
        while !reader.isAtEnd {
            switch Operation(rawValue: reader.byte())! {
            case .start:
                let table = reader.string() ?? ""
                let part = reader.string() ?? ""
                let columns = (0..<Int(reader.word())).map { _ in reader.string() ?? "" }
                next.blockStarted(table: table, columns: columns, part: part)
            case .row:
                let number = Int(reader.word())
                tabs.removeAll(keepingCapacity: true)
                for _ in 0..<Int(reader.word()) { tabs.append(Int(reader.word())) }
                // The line is borrowed from the batch, which outlives the call.
                if let line = reader.field() { next.row(line, tabs: tabs.span, line: number) }
            case .end:
                next.blockEnded()
            }
        }
    }
}
