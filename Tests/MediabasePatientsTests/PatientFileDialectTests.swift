import XCTest
@testable import MediabasePatients

/// Column roles and separators from headers as DESeq2, edgeR, limma and hand-made tables write
/// them (notes/formats.md section D). Headers are given as the CSV reader returns them: R's
/// unnamed row-name column as `""`.
final class PatientFileDialectTests: XCTestCase {
    private func resolve(_ header: [String], configure: (inout PatientReadOptions) -> Void = { _ in }) throws -> PatientFileDialect {
        var options = PatientReadOptions()
        configure(&options)
        return try PatientFileDialect.resolve(header: header, delimiter: UInt8(ascii: ","), options: options, file: "p.csv")
    }

    /// The message of the error `resolve` throws.
    private func failure(_ header: [String], configure: (inout PatientReadOptions) -> Void = { _ in }) -> String {
        do {
            _ = try resolve(header, configure: configure)
            XCTFail("expected an error for \(header)")
            return ""
        } catch {
            return error.localizedDescription
        }
    }

    func testDESeq2WriteCSVWithSymbolColumnMatchesByRowNames() throws {
        let dialect = try resolve(["", "baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj", "symbol"])
        XCTAssertEqual(dialect.idColumn, 0)
        XCTAssertEqual(dialect.valueColumnName, "log2FoldChange")
        XCTAssertEqual(dialect.scale, .log2)
        XCTAssertEqual(dialect.padjColumnName, "padj")
        XCTAssertEqual(dialect.fileFormat, "deseq2")
    }

    func testRenamedIdColumnAndReorderedColumns() throws {
        let dialect = try resolve(["ensembl_id", "baseMean", "log2FoldChange", "lfcSE", "pvalue", "padj", "stat", "symbol"])
        XCTAssertEqual(dialect.idColumnName, "ensembl_id")
        XCTAssertEqual(dialect.valueColumn, 2)
    }

    func testLfcShrinkOutputWithoutStat() throws {
        let dialect = try resolve(["", "baseMean", "log2FoldChange", "lfcSE", "pvalue", "padj"])
        XCTAssertEqual(dialect.valueColumnName, "log2FoldChange")
    }

    func testNoIdColumnNamesTheColumnsAndTheFlag() {
        let message = failure(["baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj"])
        XCTAssertTrue(message.contains("p.csv:1"), message)
        XCTAssertTrue(message.contains("found none"), message)
        XCTAssertTrue(message.contains("baseMean (statistic, not a fold change), log2FoldChange (log2 fold change)"), message)
        XCTAssertTrue(message.contains("--id-column"), message)
    }

    func testIdColumnsNamedForWhatTheyAre() throws {
        for name in ["row", "ID", "rowname", "Row.names", "rn"] {
            let dialect = try resolve([name, "baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj"])
            XCTAssertEqual(dialect.idColumn, 0, name)
        }
        // A gene or symbol column is preferred to them.
        XCTAssertEqual(try resolve(["row", "symbol", "logFC", "AveExpr"]).idColumnName, "symbol")
    }

    func testEdgeRTables() throws {
        for header in [["", "logFC", "logCPM", "PValue", "FDR"], ["", "logFC", "logCPM", "LR", "PValue", "FDR"], ["", "logFC", "logCPM", "F", "PValue", "FDR"]] {
            let dialect = try resolve(header)
            XCTAssertEqual(dialect.valueColumnName, "logFC")
            XCTAssertEqual(dialect.scale, .log2)
            XCTAssertEqual(dialect.padjColumnName, "FDR")
            XCTAssertEqual(dialect.fileFormat, "edger", "\(header)")
        }
    }

    func testLimmaTopTable() throws {
        let dialect = try resolve(["", "logFC", "AveExpr", "t", "P.Value", "adj.P.Val", "B"])
        XCTAssertEqual(dialect.valueColumnName, "logFC")
        XCTAssertEqual(dialect.padjColumnName, "adj.P.Val")
        XCTAssertEqual(dialect.fileFormat, "limma")
    }

    func testGEO2RAndCuffdiffTables() throws {
        // GEO2R (limma on microarrays): ID holds probe ids, so the symbol column wins.
        let geo = try resolve(["ID", "adj.P.Val", "P.Value", "t", "B", "logFC", "Gene.symbol", "Gene.title"])
        XCTAssertEqual(geo.idColumnName, "Gene.symbol")
        XCTAssertEqual(geo.fileFormat, "log2_fold_change_table")
        // cuffdiff gene_exp.diff: gene_id over the gene (symbol) column, log2(fold_change), q_value.
        let cuffdiff = try resolve(["test_id", "gene_id", "gene", "locus", "sample_1", "sample_2", "status", "value_1", "value_2",
                                    "log2(fold_change)", "test_stat", "p_value", "q_value", "significant"])
        XCTAssertEqual(cuffdiff.idColumnName, "gene_id")
        XCTAssertEqual(cuffdiff.valueColumnName, "log2(fold_change)")
        XCTAssertEqual(cuffdiff.padjColumnName, "q_value")
        // A bare ID column comes after R's row names.
        XCTAssertEqual(try resolve(["", "ID", "logFC", "AveExpr"]).idColumn, 0)
        XCTAssertEqual(try resolve(["ID", "logFC", "AveExpr"]).idColumnName, "ID")
    }

    func testLinearTableWithTranscriptAndGeneColumnsMatchesByTranscript() throws {
        let dialect = try resolve(["transcript_id", "cancer_fold", "gene_symbol", "p_value", "tissue_type"])
        XCTAssertEqual(dialect.idColumnName, "transcript_id")
        XCTAssertEqual(dialect.scale, .linear)
        XCTAssertEqual(dialect.fileFormat, "fold_change_table")
    }

    func testAliasesAreCaseInsensitive() throws {
        let dialect = try resolve(["Gene_Symbol", "LOG2FOLDCHANGE", "PADJ"])
        XCTAssertEqual(dialect.idColumnName, "Gene_Symbol")
        XCTAssertEqual(dialect.scale, .log2)
        XCTAssertEqual(dialect.padjColumnName, "PADJ")
    }

    func testStatisticsAreNeverTakenForFoldChanges() {
        let message = failure(["", "baseMean", "lfcSE", "stat", "pvalue", "padj", "AveExpr"])
        XCTAssertTrue(message.contains("a fold-change column"), message)
        XCTAssertTrue(message.contains("--value-column"), message)
        XCTAssertTrue(failure(["", "log2FoldChange", "lfcSE"]) { $0.valueColumn = "lfcSE" }.contains("statistic"))
    }

    func testTwoFoldChangeColumnsAreAmbiguous() {
        let message = failure(["gene_id", "log2FoldChange", "fold_change"])
        XCTAssertTrue(message.contains("found 2: log2FoldChange (log2 fold change), fold_change (linear fold change)"), message)
        XCTAssertTrue(message.contains("Columns found: gene_id (gene id), log2FoldChange (log2 fold change), fold_change (linear fold change)"), message)
        XCTAssertTrue(message.contains("--value-column"), message)
    }

    func testTwoIdColumnsOfOneKindAreAmbiguous() {
        let message = failure(["gene_id", "ensembl_gene_id", "logFC"])
        XCTAssertTrue(message.contains("gene_id, ensembl_gene_id"), message)
        XCTAssertTrue(message.contains("--id-column"), message)
    }

    func testOverrides() throws {
        let chosen = try resolve(["gene_id", "ensembl_gene_id", "log2FoldChange", "fold_change"]) {
            $0.idColumn = "ENSEMBL_GENE_ID"
            $0.valueColumn = "fold_change"
        }
        XCTAssertEqual(chosen.idColumnName, "ensembl_gene_id")
        XCTAssertEqual(chosen.scale, .linear)
        // A column whose name says linear, declared log2.
        XCTAssertEqual(try resolve(["transcript_id", "fold_change"]) { $0.valueScale = .log2 }.scale, .log2)
        // A name that says nothing needs the scale.
        XCTAssertTrue(failure(["transcript_id", "tumour_vs_normal"]) { $0.valueColumn = "tumour_vs_normal" }.contains("--value-scale"))
        XCTAssertEqual(try resolve(["transcript_id", "tumour_vs_normal"]) {
            $0.valueColumn = "tumour_vs_normal"
            $0.valueScale = .linear
        }.valueColumn, 1)
        XCTAssertTrue(failure(["transcript_id", "fc"]) { $0.idColumn = "nope" }.contains("--id-column"))
    }

    func testMaxPadjNeedsOneAdjustedPValueColumn() {
        XCTAssertTrue(failure(["transcript_id", "cancer_fold"]) { $0.maxPadj = 0.05 }.contains("--max-padj"))
        XCTAssertTrue(failure(["", "logFC", "padj", "FDR"]) { $0.maxPadj = 0.05 }.contains("--padj-column"))
        XCTAssertNoThrow(try resolve(["", "logFC", "padj", "FDR"]) { $0.maxPadj = 0.05; $0.padjColumn = "FDR" })
    }

    func testRowNameColumnNamesFromToolsThatReadRFiles() throws {
        for name in ["X", "Unnamed: 0", "...1"] {
            XCTAssertEqual(try resolve([name, "log2FoldChange"]).idColumn, 0, name)
        }
        // Elsewhere than first, `X` is just a column.
        XCTAssertTrue(failure(["log2FoldChange", "X"]).contains("--id-column"))
    }

    func testDelimiterDetection() {
        func detect(_ header: String, _ next: String? = nil) -> UInt8? {
            PatientFileDialect.detectDelimiter(headerLine: Array(header.utf8), nextLine: next.map { Array($0.utf8) })
        }
        XCTAssertEqual(detect("\"\",\"baseMean\",\"log2FoldChange\""), UInt8(ascii: ","))
        XCTAssertEqual(detect("logFC\tlogCPM\tPValue\tFDR"), 0x09)
        XCTAssertEqual(detect("transcript_id;cancer_fold"), UInt8(ascii: ";"))
        // Separators inside quotes do not count.
        XCTAssertEqual(detect("\"a,b,c\";\"d\";x"), UInt8(ascii: ";"))
        // One column in the header: the data line decides.
        XCTAssertEqual(detect("logFC", "ENSG00000141510\t1.5"), 0x09)
        XCTAssertNil(detect("logFC", "1.5"))
    }
}
