import Foundation
import MediabaseBytes
import MediabaseModel

/// How fold changes are written in a column: as ratios, or as their base-2 logarithm.
package enum FoldChangeScale: String, Sendable, Codable, CaseIterable {
    /// The ratio itself (`cancer_fold`, `fold_change`): stored as given.
    case linear
    /// log2 of the ratio (`log2FoldChange`, `logFC`): stored as 2^x.
    case log2
}

/// What a header column is for, told from its name alone (docs/spec.md §5.2). Values are never looked at
/// to guess a role: a column of small signed numbers may be log2 fold changes or a statistic.
package enum PatientColumnRole: Equatable, Sendable {
    case transcriptId
    case geneId
    /// The unnamed first column R's `write.csv` and `write.table` write for row names.
    case rowNames
    case symbol
    /// A column of ids of any kind, named for what it is, not for what it holds: `ID` (GEO2R,
    /// limma), `row` (DESeq2's `results(tidy = TRUE)`), `rowname` (tibble's
    /// `rownames_to_column`), `Row.names` (`merge(by = 0)`), `rn` (data.table). Often probe
    /// ids, so the last choice.
    case anyId
    case foldChange(FoldChangeScale)
    case adjustedP
    /// A column DESeq2, edgeR or limma write that is not a fold change (`lfcSE`, `stat`,
    /// `pvalue`, `baseMean`, `AveExpr`, ...): recognised so it is never taken for one.
    case statistic
    case other

    /// Names compared after ``key(_:)``: lower case, letters and digits only, so `adj.P.Val`,
    /// `log2_fold_change` and `Log2 Fold Change` meet their aliases.
    private static let byKey: [String: PatientColumnRole] = {
        var roles: [String: PatientColumnRole] = [:]
        for name in ["transcript_id", "ensembl_transcript_id", "ensembl_transcript_id_version", "transcript", "enst_id", "target_id"] { roles[key(name)] = .transcriptId }
        for name in ["gene_id", "ensembl_gene_id", "ensembl_gene_id_version", "ensembl_id", "ensembl", "genes"] { roles[key(name)] = .geneId }
        for name in ["gene_symbol", "symbol", "gene_name", "hgnc_symbol", "external_gene_name", "gene"] { roles[key(name)] = .symbol }
        for name in ["ID", "row", "rowname", "rownames", "Row.names", "rn"] { roles[key(name)] = .anyId }
        for name in ["cancer_fold", "expression_fold_change", "fold_change", "fc", "foldchange", "linear_fc", "fold"] { roles[key(name)] = .foldChange(.linear) }
        for name in ["log2FoldChange", "logFC", "log2fc", "log2_fold_change", "l2fc", "log2_fc", "lfc"] { roles[key(name)] = .foldChange(.log2) }
        for name in ["padj", "adj.P.Val", "FDR", "adj_pvalue", "adj_pval", "qvalue", "qval"] { roles[key(name)] = .adjustedP }
        // DESeq2: baseMean lfcSE stat pvalue; edgeR: logCPM LR F PValue; limma: AveExpr t
        // P.Value B CI.L CI.R z SE.
        for name in ["baseMean", "lfcSE", "stat", "pvalue", "pval", "p_value", "logCPM", "LR", "F", "AveExpr", "t", "B", "CI.L", "CI.R", "z", "SE", "weight"] {
            roles[key(name)] = .statistic
        }
        return roles
    }()

    /// Names R, readr and pandas give the row-name column when a `write.csv` file is read back
    /// and written again (`X`, `...1`, `Unnamed: 0`); only in the first position.
    private static let rowNameKeys: Set<String> = ["", "x", "1", "unnamed0"]

    /// The role of the column called `name` at position `index`.
    package init(name: String, index: Int) {
        let key = Self.key(name)
        if index == 0, Self.rowNameKeys.contains(key) {
            self = .rowNames
        } else {
            self = Self.byKey[key] ?? .other
        }
    }

    /// The comparison key of a column name.
    static func key(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }))
    }

    /// How the role reads in error messages.
    var label: String {
        switch self {
        case .transcriptId: return "transcript id"
        case .geneId: return "gene id"
        case .rowNames: return "row names"
        case .symbol: return "gene symbol"
        case .anyId: return "id"
        case let .foldChange(scale): return scale == .linear ? "linear fold change" : "log2 fold change"
        case .adjustedP: return "adjusted p-value"
        case .statistic: return "statistic, not a fold change"
        case .other: return "not used"
        }
    }

    /// Id columns in order of preference: transcript ids first (the classic MEDIABASE layout with
    /// both matches by transcript), then gene ids, then R row names, then symbols, which are
    /// not unique, then a bare `ID`.
    var idPreference: Int? {
        switch self {
        case .transcriptId: return 0
        case .geneId: return 1
        case .rowNames: return 2
        case .symbol: return 3
        case .anyId: return 4
        default: return nil
        }
    }
}

/// Choices the user can make when the header does not settle them (`--id-column`,
/// `--value-column`, `--value-scale`, `--padj-column`, `--max-padj`).
package struct PatientReadOptions: Sendable, Equatable {
    /// The id column's name (case-insensitive), overriding the aliases.
    package var idColumn: String?
    /// The fold-change column's name (case-insensitive), overriding the aliases.
    package var valueColumn: String?
    /// The fold-change scale, overriding what the column name says.
    package var valueScale: FoldChangeScale?
    /// The adjusted p-value column's name, when several are present.
    package var padjColumn: String?
    /// Rows whose adjusted p-value is above this (or missing) are skipped.
    package var maxPadj: Double?

    package init() {}
}

/// The layout of one delimited patient file: the separator and which columns hold the ids, the
/// fold change (and on which scale) and the adjusted p-value.
///
/// Resolved from the header row alone (docs/spec.md §5.2), so the same header always reads the same way.
/// Anything ambiguous or missing is an error that lists the columns found with their roles and
/// names the flag that settles it.
package struct PatientFileDialect: Sendable, Equatable {
    /// Field separator: `,`, tab or `;`.
    package var delimiter: UInt8
    package var idColumn: Int
    package var idColumnName: String
    package var valueColumn: Int
    package var valueColumnName: String
    package var scale: FoldChangeScale
    package var padjColumn: Int?
    package var padjColumnName: String?
    /// The program that wrote the file, told from its columns: `deseq2`, `edger`, `limma`, or a
    /// plain `fold_change_table` / `log2_fold_change_table`.
    package var fileFormat: String

    /// Whether `,` in a number is its decimal mark: only in `;`-separated files, the layout
    /// spreadsheets use where the comma is the decimal mark (`2,5`).
    package var decimalComma: Bool { delimiter == UInt8(ascii: ";") }

    /// The separator as text for reports (`,`, `\t`, `;`).
    package var delimiterName: String { delimiter == 0x09 ? "\\t" : String(UnicodeScalar(delimiter)) }

    /// The separator of a header line: whichever of tab, comma and semicolon occurs most often
    /// outside double quotes (ties: tab, then comma). A header without any (one column, or R's
    /// `write.table` of a single column) is decided by the next line. Nil when neither has one.
    package static func detectDelimiter(headerLine: [UInt8], nextLine: [UInt8]?) -> UInt8? {
        let order: [UInt8] = [0x09, UInt8(ascii: ","), UInt8(ascii: ";")]
        for line in [headerLine, nextLine ?? []] {
            var counts = [0, 0, 0]
            var inQuotes = false
            for byte in line {
                if byte == 0x22 {
                    inQuotes.toggle()
                } else if !inQuotes, let which = order.firstIndex(of: byte) {
                    counts[which] += 1
                }
            }
            let most = counts.max()!
            if most > 0 { return order[counts.firstIndex(of: most)!] }
        }
        return nil
    }

    /// Resolves the columns of `header` (as the CSV reader returns it: trimmed, with `""` for R's
    /// unnamed row-name column).
    /// - Parameters:
    ///   - sample: the first data row's fields, nil when the file has none. Only the hint of an
    ///     error looks at it: a table whose id column has an unknown name must not be told it was
    ///     written without ids.
    ///   - file: the file's path, for errors.
    package static func resolve(header: [String], delimiter: UInt8, options: PatientReadOptions, sample: [String?]? = nil,
                               file: String) throws -> PatientFileDialect {
        let roles = header.enumerated().map { PatientColumnRole(name: $0.element, index: $0.offset) }
        func columnList() -> String {
            zip(header, roles).map { "\(shown($0)) (\($1.label))" }.joined(separator: ", ")
        }
        func failure(_ problem: String, _ remedy: String) -> MediabaseError {
            .malformedInput(SourceLocation(file: file, line: 1), expected: "\(problem). Columns found: \(columnList()). \(remedy)")
        }
        func named(_ name: String, flag: String) throws -> Int {
            let wanted = name.trimmingWhitespace.lowercased()
            guard let index = header.firstIndex(where: { $0.lowercased() == wanted }) else {
                throw failure("a column named \(shown(name)) as \(flag) says, but there is none", "Give \(flag) one of the names above")
            }
            return index
        }

        // The ids.
        let idColumn: Int
        if let name = options.idColumn {
            idColumn = try named(name, flag: "--id-column")
        } else {
            let preferences = roles.compactMap(\.idPreference)
            guard let best = preferences.min() else {
                throw failure("a column of transcript ids, gene ids or gene symbols (transcript_id, gene_id, gene_symbol, row, ID, ... or R's unnamed row-name column), found none",
                              missingIdsRemedy(header: header, sample: sample, delimiter: delimiter))
            }
            let candidates = roles.indices.filter { roles[$0].idPreference == best }
            guard candidates.count == 1 else {
                throw failure("one id column, found \(candidates.count) of the same kind: \(candidates.map { shown(header[$0]) }.joined(separator: ", "))",
                              "Choose one with --id-column")
            }
            idColumn = candidates[0]
        }

        // The fold change.
        let valueColumn: Int
        let scale: FoldChangeScale
        if let name = options.valueColumn {
            valueColumn = try named(name, flag: "--value-column")
            guard valueColumn != idColumn else { throw failure("different id and fold-change columns, both are \(shown(header[idColumn]))", "Choose other columns") }
            switch roles[valueColumn] {
            case let .foldChange(named):
                scale = options.valueScale ?? named
            case .statistic, .adjustedP:
                throw failure("a fold-change column, but \(shown(header[valueColumn])) is a \(roles[valueColumn].label)", "Choose a fold-change column with --value-column")
            default:
                guard let given = options.valueScale else {
                    throw failure("a fold-change scale, but the name \(shown(header[valueColumn])) does not say whether it holds linear or log2 fold changes",
                                  "Add --value-scale linear or --value-scale log2")
                }
                scale = given
            }
        } else {
            let candidates = roles.indices.filter { if case .foldChange = roles[$0] { return $0 != idColumn } else { return false } }
            guard let first = candidates.first else {
                throw failure("a fold-change column (linear: cancer_fold, fold_change, fc, ...; log2: log2FoldChange, logFC, log2fc, ...), found none",
                              "Name it with --value-column and say its scale with --value-scale linear|log2")
            }
            guard candidates.count == 1 else {
                throw failure("one fold-change column, found \(candidates.count): \(candidates.map { "\(shown(header[$0])) (\(roles[$0].label))" }.joined(separator: ", "))",
                              "Choose one with --value-column")
            }
            valueColumn = first
            guard case let .foldChange(named) = roles[first] else { preconditionFailure("candidates are fold-change columns") }
            scale = options.valueScale ?? named
        }

        // The adjusted p-value: needed only for --max-padj, reported either way.
        var padjColumn: Int?
        if let name = options.padjColumn {
            padjColumn = try named(name, flag: "--padj-column")
        } else {
            let candidates = roles.indices.filter { roles[$0] == .adjustedP }
            if candidates.count == 1 {
                padjColumn = candidates[0]
            } else if options.maxPadj != nil {
                throw candidates.isEmpty
                    ? failure("an adjusted p-value column (padj, adj.P.Val, FDR, ...) for --max-padj, found none", "Name it with --padj-column or drop --max-padj")
                    : failure("one adjusted p-value column for --max-padj, found \(candidates.count): \(candidates.map { shown(header[$0]) }.joined(separator: ", "))",
                              "Choose one with --padj-column")
            }
        }

        return PatientFileDialect(
            delimiter: delimiter, idColumn: idColumn, idColumnName: header[idColumn], valueColumn: valueColumn,
            valueColumnName: header[valueColumn], scale: scale, padjColumn: padjColumn, padjColumnName: padjColumn.map { header[$0] },
            fileFormat: fileFormat(keys: Set(header.map(PatientColumnRole.key)), scale: scale))
    }

    /// What to do about a header without a known id column. Says that the table has no ids only
    /// when the first data row holds no text at all; a column holding text is named as the
    /// likely ids.
    private static func missingIdsRemedy(header: [String], sample: [String?]?, delimiter: UInt8) -> String {
        guard let sample else {
            return "Name the id column with --id-column; if the table was written without ids (R's write.csv(row.names = FALSE) drops the row names that hold them), it cannot be matched"
        }
        let decimalComma = delimiter == UInt8(ascii: ";")
        let textColumns = zip(header, sample).filter { _, value in
            guard let value else { return false }
            let parsed = NumberField.parse(value.utf8.span, decimalComma: decimalComma)
            return parsed == .nonNumeric && !["nan", "inf", "-inf", "+inf", "infinity", "-infinity"].contains(value.trimmingWhitespace.lowercased())
        }
        guard let (name, value) = textColumns.first else {
            return "Name the id column with --id-column; the first data row holds only numbers, so the table looks written without ids (R's write.csv(row.names = FALSE) drops the row names that hold them) and cannot be matched"
        }
        let others = textColumns.dropFirst().map { shown($0.0) }
        return "Column \(shown(name)) holds text (\(PatientId.quoted(value ?? "")) in the first data row)\(others.isEmpty ? "" : ", as do \(others.joined(separator: ", "))"): if it holds the ids, choose it with --id-column \(shown(name))"
    }

    /// `deseq2`, `edger` or `limma` when the columns are those programs' result columns.
    private static func fileFormat(keys: Set<String>, scale: FoldChangeScale) -> String {
        if keys.contains("log2foldchange"), keys.contains("basemean") || keys.contains("lfcse") { return "deseq2" }
        if keys.contains("logfc"), keys.contains("logcpm") { return "edger" }
        if keys.contains("logfc"), keys.contains("aveexpr") { return "limma" }
        return scale == .linear ? "fold_change_table" : "log2_fold_change_table"
    }

    /// A column name as messages show it: `""` for the empty name.
    private static func shown(_ name: String) -> String { name.isEmpty ? "\"\"" : String(PatientId.quoted(name).dropFirst().dropLast()) }
}
