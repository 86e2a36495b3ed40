import MediabaseBytes
import MediabaseModel
/// The data of a `COPY ... FROM stdin` block in a plain dump file, from its first row to the end
/// of the file (where the block ends is for the reader of the rows to find).
package struct CopyBlock {
    package var table: TableSchema
    /// The file, to read with ``FileByteStream/read(at:into:)``; its offsets are the dump's.
    package var file: FileByteStream
    /// Size of the file.
    package var size: Int
    /// How errors name the input.
    package var fileName: String
    /// Offset of the first row in the file.
    package var start: Int
    /// Line number of the COPY statement's last line; the first row is on the next.
    package var startLine: Int
}

/// Where a ``CopyBlock`` ended and what it held.
package struct CopyBlockEnd: Equatable {
    package var rows: Int
    /// Bytes of row text, terminator excluded (as ``CopyData/readRows`` counts them).
    package var bytes: Int64
    /// Lines read, the `\.` terminator included.
    package var lines: Int
    /// Offset just past the terminator's line.
    package var offset: Int

    package init(rows: Int, bytes: Int64, lines: Int, offset: Int) {
        self.rows = rows
        self.bytes = bytes
        self.lines = lines
        self.offset = offset
    }
}

/// A ``DumpSink`` that can read the COPY blocks of a plain dump file itself rather than row by
/// row, e.g. in parts on several threads. It must find and report what ``CopyData/readRows``
/// would: the rows between the statement and the `\.` line, and the same errors at the same
/// lines and offsets.
package protocol CopyBlockSink: DumpSink {
    /// Reads the block's rows, or returns nil to be given them row by row; called between
    /// ``DumpSink/beginTable(_:)`` and ``DumpSink/endTable(_:rows:bytes:)``.
    func readCopyBlock(_ block: CopyBlock) throws -> CopyBlockEnd?
}
