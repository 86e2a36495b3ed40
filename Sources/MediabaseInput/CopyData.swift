import MediabaseBytes
import MediabaseModel
/// Reads the rows of one `COPY ... FROM stdin` block in text format.
enum CopyData {
    /// Decodes lines into `row` and hands them to `sink` until the `\.` terminator.
    ///
    /// - Parameter requireTerminator: plain dumps and archive payloads always end a block with
    ///   `\.`; a missing one means the input was cut short.
    /// - Returns: rows read and bytes of row text consumed (terminator excluded).
    static func readRows(
        lines: LineReader, table: TableSchema, file: String, sink: DumpSink, row: RowBuffer,
        requireTerminator: Bool = true
    ) throws -> (rows: Int, bytes: Int64) {
        var rows = 0
        var bytes: Int64 = 0
        let expected = table.columns.count
        let startLine = lines.lineNumber
        var continued: [UInt8] = []
        while let rawLine = try lines.nextLineBytes() {
            let line = rawLine.droppingCR()
            if line.count >= 2, line[0] == 0x5C, line[1] == 0x2E {
                guard line.count == 2 else {
                    throw MediabaseError.malformedInput(
                        SourceLocation(file: file, table: table.qualifiedName, line: lines.lineNumber, byteOffset: lines.lineOffset),
                        expected: "the end-of-data marker \\. alone on its line")
                }
                return (rows, bytes)
            }
            row.reset()
            row.line = lines.lineNumber
            row.byteOffset = lines.lineOffset
            if CopyText.decodeRow(line, into: row) == .continues {
                // An unpaired backslash before the newline: the newline is data (rare, never written
                // by pg_dump); join the following lines until the row ends.
                continued.removeAll(keepingCapacity: true)
                continued.append(line)
                var ended = false
                while !ended {
                    guard let next = try lines.nextLineBytes() else {
                        throw MediabaseError.malformedInput(
                            SourceLocation(file: file, table: table.qualifiedName, line: row.line, byteOffset: row.byteOffset),
                            expected: "a character after the backslash at the end of the row")
                    }
                    continued.append(0x0A)
                    continued.append(next.droppingCR())
                    row.reset()
                    ended = CopyText.decodeRow(continued.span, into: row) == .complete
                    if ended { try deliver(row, expected: expected, table: table, file: file, sink: sink) }
                }
                bytes += Int64(continued.count + 1)
                rows += 1
                continue
            }
            if !lines.lastLineTerminated {
                throw MediabaseError.malformedInput(
                    SourceLocation(file: file, table: table.qualifiedName, line: row.line, byteOffset: row.byteOffset),
                    expected: "a complete row, but the input ends inside it (truncated file?)")
            }
            try deliver(row, expected: expected, table: table, file: file, sink: sink)
            rows += 1
            bytes += Int64(rawLine.count + 1)
        }
        if requireTerminator {
            throw MediabaseError.malformedInput(
                SourceLocation(file: file, table: table.qualifiedName, line: lines.lineNumber + 1, byteOffset: lines.nextOffset),
                expected: "more rows or the end-of-data marker \\. (the COPY block that starts after line \(startLine) is cut short: truncated file?)")
        }
        return (rows, bytes)
    }

    @inline(__always)
    private static func deliver(_ row: RowBuffer, expected: Int, table: TableSchema, file: String, sink: DumpSink) throws {
        guard row.count == expected else {
            throw MediabaseError.malformedInput(
                SourceLocation(file: file, table: table.qualifiedName, line: row.line, byteOffset: row.byteOffset),
                expected: "\(expected) tab-separated fields (\(table.columns.map(\.name).joined(separator: ", "))), found \(row.count)")
        }
        try sink.row(row)
    }
}
