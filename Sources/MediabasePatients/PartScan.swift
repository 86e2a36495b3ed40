import Foundation
import MediabaseBytes
import MediabaseInput

/// Sees the rows of each COPY block a ``PartScan`` follows (the bundle's key checks).
package protocol CopyRowObserver: AnyObject {
    /// A block of `table` (as ``PartScan/rows`` names it) with `columns` starts in `part`.
    func blockStarted(table: String, columns: [String], part: String)
    /// A data line of the block with the header's column count, at `line` of the part; `tabs`
    /// are the offsets of its TABs.
    func row(_ line: Span<UInt8>, tabs: Span<Int>, line: Int)
    /// The block ends (by `\.`, or with the part).
    func blockEnded()
    /// Whether the rows of `table` are looked at, whatever was seen before (it may be asked
    /// from another thread than the others'): a relay need not hand over the others.
    func wantsRows(of table: String) -> Bool
}

/// What a pass over the parts finds: COPY blocks and their rows, the tables and views created,
/// the schema version rows, and structural problems.
package struct PartScan {
    /// Rows per COPY block, by table: the bare name for schema `public`, `schema.table` else
    /// (`patient_p1.expression_data`).
    package private(set) var rows: [String: Int] = [:]
    package private(set) var blocks = 0
    package private(set) var problems: [String] = []
    package private(set) var createdTables = Set<String>()
    package private(set) var createdViews = Set<String>()
    package private(set) var versions: [String] = []
    /// What each patient part holds, by part name, in scan order.
    package private(set) var patientParts: [(part: String, facts: PatientPartFacts)] = []
    /// Whether a transcript id is in the core, for the patient parts' orphan check; nil: the ids
    /// of the core's `transcripts` COPY block, when a part scanned earlier had one.
    var isKnownTranscript: ((String) -> Bool)?
    /// Collect the core's transcript ids from its COPY block (for patient parts scanned later).
    package var collectsTranscripts = false
    /// Shown every COPY block's rows.
    package var rowObserver: CopyRowObserver?
    private var transcripts = Set<String>()
    private let row = RowBuffer()
    /// The TABs of the row being read, for ``rowObserver``.
    private var tabs: [Int] = []

    package init() {}

    /// Follows one part line by line. Outside COPY data a line is SQL; a `COPY ... FROM stdin;`
    /// line starts a block whose data lines must have the header's column count, up to the `\.`
    /// line that ends it.
    package mutating func read(_ lines: LineReader, part: String) throws {
        var copy: (table: String, schema: String?, name: String, columns: Int)?
        // Rows of the open block, added to `rows` when it ends: no dictionary lookup per row.
        var blockRows = 0
        // A block left open (no `\.`, or the part fails to decompress) keeps the rows read.
        defer {
            if let copy {
                rows[copy.table, default: 0] += blockRows
                rowObserver?.blockEnded()
            }
        }
        var patient = PatientPartFacts.schema(ofPart: part).map(PatientPartFacts.init)
        defer { if let patient { patientParts.append((part, patient)) } }
        let known = isKnownTranscript ?? (transcripts.isEmpty ? nil : { [transcripts] in transcripts.contains($0) })
        while let line = try lines.nextLineBytes() {
            if let block = copy {
                if line.equals("\\.") {
                    rows[block.table, default: 0] += blockRows
                    copy = nil
                    rowObserver?.blockEnded()
                    continue
                }
                blockRows += 1
                tabs.removeAll(keepingCapacity: true)
                var tab = line.firstIndex(of: ASCII.tab)
                while let found = tab {
                    tabs.append(found)
                    tab = line.firstIndex(of: ASCII.tab, from: found + 1)
                }
                if tabs.count + 1 != block.columns {
                    problem("\(part):\(lines.lineNumber): \(tabs.count + 1) fields in a row of \(block.table), which has \(block.columns) columns")
                } else {
                    rowObserver?.row(line, tabs: tabs.span, line: lines.lineNumber)
                }
                if line.firstIndex(of: ASCII.carriageReturn) != nil { problem("\(part):\(lines.lineNumber): a raw carriage return in a row of \(block.table)") }
                if block.table == "schema_versions" {
                    versions.append(String(utf8: line.extracting(0..<(line.firstIndex(of: ASCII.tab) ?? line.count))))
                } else if patient != nil || (collectsTranscripts && block.table == "transcripts") {
                    row.reset()
                    CopyText.decodeRow(line, into: row)
                    if patient != nil {
                        patient!.row(row, table: block.name, isKnownTranscript: known)
                    } else if let id = row.string(0) {
                        transcripts.insert(id)
                    }
                }
                continue
            }
            if let offset = Self.metaCommandOffset(line) {
                problem("\(part):\(lines.lineNumber): a backslash outside quotes (a psql meta-command) at byte \(offset)")
            }
            let text = String(utf8: line)
            patient?.sqlLine(text)
            if text.hasPrefix("COPY ") {
                guard let tokens = try? SQLStatements.tokens(text), tokens.last == .symbol(";"),
                      let header = SQLStatements.parseCopy(Array(tokens.dropLast())), let columns = header.columns
                else {
                    problem("\(part):\(lines.lineNumber): a COPY line that is not COPY table (columns) FROM stdin;")
                    continue
                }
                let schema = header.name.schema
                let table = schema == nil || schema == "public" ? header.name.name : "\(schema!).\(header.name.name)"
                patient?.copyBlock(schema: schema, table: header.name.name)
                copy = (table, schema, header.name.name, columns.count)
                rowObserver?.blockStarted(table: table, columns: columns, part: part)
                blockRows = 0
                rows[table, default: 0] += 0
                blocks += 1
            } else if text.hasPrefix("CREATE TABLE ") || text.hasPrefix("CREATE MATERIALIZED VIEW ") {
                guard let tokens = try? SQLStatements.tokens(text) else { continue }
                let isView = text.hasPrefix("CREATE MATERIALIZED")
                var index = isView ? 3 : 2
                if let name = SQLStatements.qualifiedName(tokens, &index), name.schema == "public" {
                    if isView { createdViews.insert(name.name) } else { createdTables.insert(name.name) }
                }
            }
        }
        if let copy { problem("\(part): the COPY block of \(copy.table) is not ended by \\.") }
    }

    private mutating func problem(_ text: String) { problems.append(text) }

    /// Where a SQL line has a backslash outside a quoted identifier, a string or a `--` comment:
    /// psql would take it for a meta-command. The parts never need one.
    static func metaCommandOffset(_ line: Span<UInt8>) -> Int? {
        var quote: UInt8?
        var index = 0
        while index < line.count {
            let byte = line[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == ASCII.quote || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == ASCII.minus, index + 1 < line.count, line[index + 1] == ASCII.minus {
                return nil
            } else if byte == ASCII.backslash {
                return index
            }
            index += 1
        }
        return nil
    }
}
