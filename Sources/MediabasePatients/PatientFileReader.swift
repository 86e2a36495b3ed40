import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseInput

/// What one patient's input turned out to be.
package struct PatientSource: Sendable, Equatable {
    /// The container as detected from the bytes (`csv`, `plain (gzip)`, `custom`, ...).
    package var format: InputFormat
    /// The column layout of a delimited file; nil for a legacy dump.
    package var dialect: PatientFileDialect?

    /// `metadata.file_format`: `deseq2`, `edger`, `limma`, `fold_change_table`,
    /// `log2_fold_change_table`, or `legacy_dump` for a v0.5 per-patient dump.
    package var fileFormat: String { dialect?.fileFormat ?? "legacy_dump" }

    /// `metadata.normalization_method`: `linear` (stored as given) or `log2_to_linear` (stored 2^x).
    package var normalizationMethod: String { dialect?.scale == .log2 ? "log2_to_linear" : "linear" }
}

/// Reads one patient's input into a ``PatientExpression``, streaming: a delimited fold-change
/// table (DESeq2, edgeR, limma, a linear CSV; docs/spec.md §5.2) or the `pg_dump` of a v0.5 per-patient
/// database, whose `cancer_transcript_base.expression_fold_change` holds the patient's values.
/// Either may be gzip-compressed; the kind is told from the bytes.
package enum PatientFileReader {
    /// Reads `path` into `expression`.
    package static func read(path: String, options: PatientReadOptions, into expression: PatientExpression) throws -> PatientSource {
        let format = try InputFormat.detect(path: path)
        guard format.kind == .csv else {
            if options.maxPadj != nil {
                throw MediabaseError.usage("\(path): --max-padj needs an adjusted p-value column, and a legacy per-patient dump has none")
            }
            let sink = LegacyDumpSink(expression: expression, file: path)
            try DumpReader.open(path: path).read(into: sink)
            guard sink.sawLegacyTable else {
                throw MediabaseError.malformedInput(SourceLocation(file: path), expected: "a cancer_transcript_base table in this dump (a v0.5 per-patient database), found none")
            }
            expression.recordSourceNonBaselineRows()
            return PatientSource(format: format, dialect: nil)
        }
        let (header, next) = try firstLines(path: path, gzip: format.gzip)
        guard let delimiter = PatientFileDialect.detectDelimiter(headerLine: header, nextLine: next) else {
            throw MediabaseError.malformedInput(SourceLocation(file: path, line: 1), expected: "columns separated by commas, tabs or semicolons")
        }
        let sink = DelimitedSink(expression: expression, options: options, delimiter: delimiter, file: path)
        try CSVReader(stream: try openStream(path: path, gzip: format.gzip), file: path, delimiter: delimiter,
                      tableName: "patient", acceptsUnlabelledRowNames: true).read(into: sink)
        return PatientSource(format: format, dialect: sink.dialect)
    }

    private static func openStream(path: String, gzip: Bool) throws -> ByteStream {
        let file = try FileByteStream(path: path)
        return gzip ? try InflateStream(source: file, wrapping: .gzip, name: path) : file
    }

    /// The header line and the line after it, for the delimiter.
    private static func firstLines(path: String, gzip: Bool) throws -> ([UInt8], [UInt8]?) {
        let lines = LineReader(stream: try openStream(path: path, gzip: gzip), name: path, bufferSize: 64 * 1024)
        var header: [UInt8] = []
        if let line = try lines.nextLineBytes() { header = [UInt8](line) }
        var next: [UInt8]?
        if let line = try lines.nextLineBytes() { next = [UInt8](line) }
        return (header, next)
    }

    /// Resolves the layout from the header, then hands each row's id, fold change and adjusted
    /// p-value to the expression. The layout is resolved at the first row (or the end of an
    /// empty table), so that an error about the header can say what the first row holds.
    private final class DelimitedSink: DumpSink {
        private let expression: PatientExpression
        private let options: PatientReadOptions
        private let delimiter: UInt8
        private let file: String
        private(set) var dialect: PatientFileDialect?
        private var idColumn = 0
        private var valueColumn = 0
        private var padjColumn: Int?
        private var decimalComma = false
        private var header: [String] = []

        init(expression: PatientExpression, options: PatientReadOptions, delimiter: UInt8, file: String) {
            self.expression = expression
            self.options = options
            self.delimiter = delimiter
            self.file = file
        }

        func beginTable(_ table: TableSchema) throws { header = table.columns.map(\.name) }

        private func resolve(sample: RowBuffer?) throws {
            let dialect = try PatientFileDialect.resolve(header: header, delimiter: delimiter, options: options,
                                                         sample: sample.map { row in header.indices.map { $0 < row.count ? row.string($0) : nil } }, file: file)
            self.dialect = dialect
            idColumn = dialect.idColumn
            valueColumn = dialect.valueColumn
            padjColumn = options.maxPadj == nil ? nil : dialect.padjColumn
            decimalComma = dialect.decimalComma
            expression.begin(idColumn: dialect.idColumnName, valueColumn: dialect.valueColumnName, scale: dialect.scale)
        }

        func row(_ row: RowBuffer) throws {
            if dialect == nil { try resolve(sample: row) }
            try expression.add(
                id: row.bytes(idColumn), value: NumberField.parse(row.bytes(valueColumn), decimalComma: decimalComma),
                padj: padjColumn.map { NumberField.parse(row.bytes($0), decimalComma: decimalComma) }, row: row)
        }

        func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
            if dialect == nil { try resolve(sample: nil) }
        }
    }

    /// Takes `transcript_id` and `expression_fold_change` of the legacy table; skips every
    /// other table.
    private final class LegacyDumpSink: DumpSink {
        private let expression: PatientExpression
        private let file: String
        private(set) var sawLegacyTable = false
        private var columns: (id: Int, value: Int)?

        init(expression: PatientExpression, file: String) {
            self.expression = expression
            self.file = file
        }

        func beginTable(_ table: TableSchema) throws {
            columns = nil
            guard LegacyColumns.isLegacy(table) else { return }
            guard let id = table.columnIndex("transcript_id"), let value = table.columnIndex("expression_fold_change") else {
                throw MediabaseError.malformedInput(SourceLocation(file: file, table: table.qualifiedName),
                                                    expected: "transcript_id and expression_fold_change columns in \(table.qualifiedName)")
            }
            guard !sawLegacyTable else {
                throw MediabaseError.malformedInput(SourceLocation(file: file, table: table.qualifiedName), expected: "one cancer_transcript_base table, found a second")
            }
            sawLegacyTable = true
            columns = (id, value)
            expression.begin(idColumn: "transcript_id", valueColumn: "expression_fold_change", scale: .linear)
        }

        func row(_ row: RowBuffer) throws {
            guard let columns else { return }
            try expression.add(id: row.bytes(columns.id), value: NumberField.parse(row.bytes(columns.value), decimalComma: false), padj: nil, row: row)
        }

        func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws { columns = nil }
    }
}
