import Foundation
import MediabaseBytes
import MediabaseModel

/// Reads delimiter-separated text with a header row (RFC 4180 quoting), as written by
/// PostgreSQL's `COPY ... TO ... WITH CSV HEADER`, psql's `\copy`, R and spreadsheets.
///
/// Following PostgreSQL's CSV rules, an unquoted empty field is NULL and a quoted empty field
/// (`""`) is the empty string. Quoted fields may span lines and keep every byte between the
/// quotes, a CR before a line feed included (psql writes CR LF in a value raw). A UTF-8
/// byte-order mark before the header is skipped; a CR LF record end (outside quotes) ends a
/// record as LF does.
package final class CSVReader {
    private let stream: ByteStream
    private let file: String
    private var delimiter: UInt8
    /// Whether the delimiter is taken from the header line (see ``export(stream:file:)``).
    private var sniffsDelimiter = false
    /// Whether the header's names must be non-empty and distinct (see ``export(stream:file:)``).
    private var requiresNamedColumns = false
    private let tableName: String?
    private let acceptsUnlabelledRowNames: Bool
    private let row = RowBuffer()
    /// Column names from the header, available once reading has started.
    package private(set) var header: [String] = []

    /// - Parameters:
    ///   - tableName: the table the rows are reported under; when nil, a header with a
    ///     `transcript_id` column names the legacy table `cancer_transcript_base`, any other the
    ///     file name without extensions.
    ///   - acceptsUnlabelledRowNames: when the first record has exactly one field more than the
    ///     header, take the header to lack the name of a first row-name column and name it `""`.
    ///     R's `write.table(x, row.names = TRUE)` writes such files (`write.csv` writes `""`).
    package init(stream: ByteStream, file: String, delimiter: UInt8 = UInt8(ascii: ","), tableName: String? = nil,
                acceptsUnlabelledRowNames: Bool = false) {
        self.stream = stream
        self.file = file
        self.delimiter = delimiter
        self.tableName = tableName
        self.acceptsUnlabelledRowNames = acceptsUnlabelledRowNames
    }

    /// A reader of a database table's export (psql's `\copy ... CSV HEADER`, also with
    /// `DELIMITER E'\t'` or `';'`): the delimiter is the one of comma, TAB and semicolon the
    /// header line holds most of (a comma on a tie), and the header must name every column
    /// once: a file exported without `HEADER` would otherwise take its first row for names.
    package static func export(stream: ByteStream, file: String) -> CSVReader {
        let reader = CSVReader(stream: stream, file: file)
        reader.sniffsDelimiter = true
        reader.requiresNamedColumns = true
        return reader
    }

    /// Streams the records after the header into `sink` as one table.
    package func read(into sink: DumpSink) throws {
        let lines = LineReader(stream: stream, name: file)
        guard try readRecord(lines, isHeader: true) else {
            throw MediabaseError.malformedInput(SourceLocation(file: file, line: 1, byteOffset: 0), expected: "a header row naming the columns (the file is empty)")
        }
        header = (0..<row.count).map { (row.string($0) ?? "").trimmingCharacters(in: .whitespaces) }
        if requiresNamedColumns {
            let unnamed = header.firstIndex(where: \.isEmpty)
            let repeated = header.indices.first { index in header[..<index].contains(header[index]) }
            if let problem = unnamed.map({ "column \($0 + 1) has no name" }) ?? repeated.map({ "'\(header[$0])' names columns twice" }) {
                throw MediabaseError.malformedInput(
                    SourceLocation(file: file, line: 1, byteOffset: 0),
                    expected: "a header row naming each column once, but \(problem) (a file exported without HEADER?)")
            }
        }
        let startOffset = lines.nextOffset
        var pending = try readRecord(lines, isHeader: false)
        if acceptsUnlabelledRowNames, pending, row.count == header.count + 1 { header.insert("", at: 0) }
        let name = tableName ?? (header.contains("transcript_id") ? LegacyColumns.tableName : Self.stem(of: file))
        let table = TableSchema(name: name, columns: header.map { ColumnInfo(name: $0) })
        try sink.beginTable(table)
        var rows = 0
        while pending {
            if row.count == header.count {
                try sink.row(row)
                rows += 1
            } else if row.count != 1 || !row.isNull(0) {
                // (A blank line between records is not a record.)
                throw MediabaseError.malformedInput(
                    SourceLocation(file: file, table: name, line: row.line, byteOffset: row.byteOffset),
                    expected: "\(header.count) fields as in the header, found \(row.count)")
            }
            pending = try readRecord(lines, isHeader: false)
        }
        try sink.endTable(table, rows: rows, bytes: lines.nextOffset - startOffset)
    }

    /// The file name without directories and extensions (`a/P1.deseq2.csv.gz` → `P1`).
    package static func stem(of path: String) -> String {
        let base = (path as NSString).lastPathComponent
        return String(base.prefix { $0 != "." })
    }

    /// Reads one record into `row`; false at end of input.
    private func readRecord(_ lines: LineReader, isHeader: Bool) throws -> Bool {
        guard var line = try lines.nextLineBytes() else { return false }
        if isHeader, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
            line = line.extracting(3...)
        }
        if isHeader, sniffsDelimiter {
            var counts: [UInt8: Int] = [:]
            for index in 0..<line.count where [UInt8(ascii: ","), 0x09, UInt8(ascii: ";")].contains(line[index]) { counts[line[index], default: 0] += 1 }
            let comma = counts[UInt8(ascii: ","), default: 0]
            if let (most, count) = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $1.key == UInt8(ascii: ",")) }), count > comma {
                delimiter = most
            }
        }
        row.reset()
        row.line = lines.lineNumber
        row.byteOffset = lines.lineOffset
        let startLine = lines.lineNumber
        // Inside quotes a line's bytes run to its LF, a CR before it included; outside quotes
        // they stop at `limit`, before a CR that is part of a CR LF record end.
        var current = line
        var limit = line.droppingCR().count
        row.setRaw(line.droppingCR())
        var index = 0
        var fieldIsQuoted = false
        var inQuotes = false
        var atFieldStart = true
        // Bytes between quotes and delimiters are copied in runs found with memchr.
        while true {
            while index < current.count {
                guard inQuotes || index < limit else { break }
                if inQuotes {
                    guard let quote = current.firstIndex(of: 0x22, from: index) else {
                        row.appendBytes(current.extracting(index...))
                        index = current.count
                        break
                    }
                    row.appendBytes(current.extracting(index..<quote))
                    if quote + 1 < current.count, current[quote + 1] == 0x22 {
                        row.appendByte(0x22)
                        index = quote + 2
                        continue
                    }
                    inQuotes = false
                    index = quote + 1
                    guard index == limit || current[index] == delimiter else {
                        throw MediabaseError.malformedInput(
                            SourceLocation(file: file, line: lines.lineNumber, byteOffset: lines.lineOffset + Int64(index)),
                            expected: "a delimiter or the end of the line after a closing quote")
                    }
                    continue
                }
                if atFieldStart, current[index] == 0x22 {
                    inQuotes = true
                    fieldIsQuoted = true
                    atFieldStart = false
                    index += 1
                    continue
                }
                // An unquoted field, or what follows a closing quote, runs to the next delimiter;
                // a quote inside it is an ordinary character.
                let end = current.firstIndex(of: delimiter, from: index, to: limit) ?? limit
                row.appendBytes(current.extracting(index..<end))
                index = end
                guard end < limit else { break }
                finishField(quoted: fieldIsQuoted)
                fieldIsQuoted = false
                atFieldStart = true
                index += 1
            }
            guard inQuotes else { break }
            // The quoted field goes on past the line end: the newline is part of the value.
            guard let next = try lines.nextLineBytes() else {
                throw MediabaseError.malformedInput(
                    SourceLocation(file: file, line: startLine, byteOffset: row.byteOffset),
                    expected: "a closing quote for the field opened in this record (the file ends inside it)")
            }
            row.appendByte(0x0A)
            // The first line's bytes may have moved: a record spanning lines has no raw text.
            row.clearRaw()
            current = next
            limit = next.droppingCR().count
            index = 0
        }
        finishField(quoted: fieldIsQuoted)
        return true
    }

    private func finishField(quoted: Bool) {
        if !quoted, row.pendingFieldLength == 0 {
            row.appendNull()
        } else {
            row.endField()
        }
    }
}
