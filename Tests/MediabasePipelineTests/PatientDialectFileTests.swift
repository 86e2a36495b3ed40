import MediabaseTestSupport
import XCTest
@testable import MediabasePipeline

/// One test per file shape of notes/formats.md section D and the linear MEDIABASE exports:
/// hand-written files through the whole batch, with the sparse values known in advance
/// (relative error ≤ 1e-9) and the expected counts.
///
/// The core is `fixtures/patients/core.sql`: a gene id or symbol maps to the gene's smallest
/// transcript id (the core has no support levels).
final class PatientDialectFileTests: ScratchFolderTestCase {
    /// Runs one patient file named `name` and returns its outcome and stored values.
    private func run(_ name: String, _ text: String, configure: (inout PatientBatchOptions) -> Void = { _ in }) throws -> (PatientBatchReport.Patient, [String: Double]) {
        let report = try PatientFixtures.run([name: text], in: folder, configure: configure)
        let patient = try XCTUnwrap(report.patients.first)
        guard let output = patient.output else { return (patient, [:]) }
        return (patient, try PatientFixtures.values(output))
    }

    /// Asserts rows, skipped, matched, unmatched and stored counts.
    private func assertCounts(_ patient: PatientBatchReport.Patient, rows: Int, skipped: Int, matched: Int, unmatched: Int, stored: Int,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(patient.status, "ok", patient.error ?? "", file: file, line: line)
        guard let counts = patient.counts else { return XCTFail("no counts", file: file, line: line) }
        XCTAssertEqual([counts.rows, counts.skipped, counts.matched, counts.unmatched, counts.stored], [rows, skipped, matched, unmatched, stored],
                       "rows, skipped, matched, unmatched, stored", file: file, line: line)
        XCTAssertEqual(counts.total, counts.matched + counts.unmatched, file: file, line: line)
        XCTAssertEqual(counts.rows, counts.total + counts.skipped, file: file, line: line)
    }

    func testDESeq2WriteCSVWithQuotedIdsAndSymbolColumn() throws {
        let (patient, values) = try run("P1.csv", """
            "","baseMean","log2FoldChange","lfcSE","stat","pvalue","padj","symbol"
            "ENSG00000152583",997.444732611474,4.60255454054448,0.211741943062569,21.7366218235961,9.24585530679515e-105,1.70262425474633e-100,"SPARCL1"
            "ENSG00000148175",11193.7231981539,1.45149351422618,0.0848957782269659,17.0973580140306,1.55285950685643e-65,1.42979539093806e-61,"STOM"
            "ENSG00000141510",0,NA,NA,NA,NA,NA,"TP53"
            "ENSG00000171862",12.5,-1.2,0.3,-4,1.4e-322,NA,"PTEN"
            "ENSG00000999999",5,0.5,0.1,1,0.5,NA,NA
            "ENSG00000139687",50,0,0.1,0,1,1,"RB1"

            """)
        assertCounts(patient, rows: 6, skipped: 1, matched: 4, unmatched: 1, stored: 3)
        XCTAssertEqual(patient.counts?.baselineRows, 1)
        XCTAssertEqual(patient.counts?.matchedByGeneId, 4)
        XCTAssertEqual(patient.fileFormat, "deseq2")
        XCTAssertEqual(patient.normalizationMethod, "log2_to_linear")
        let dialect = try XCTUnwrap(patient.dialect)
        XCTAssertEqual([dialect.delimiter, dialect.idColumn, dialect.valueColumn, dialect.valueScale.rawValue, dialect.padjColumn], [",", "", "log2FoldChange", "log2", "padj"])
        assertFoldChanges(values, [
            "ENST00000282470": pow(2, 4.60255454054448), "ENST00000286713": pow(2, 1.45149351422618), "ENST00000371953": pow(2, -1.2),
        ])
        XCTAssertEqual(patient.rejectsByReason, ["unmatched_id": 1])
    }

    func testDESeq2UnquotedWithEmptyFirstHeaderAndVersionedIds() throws {
        let (patient, values) = try run("P2.csv", """
            ,baseMean,log2FoldChange,lfcSE,stat,pvalue,padj
            ENSG00000141736.18,315.421766746298,-0.191290684481327,0.219895830933601,-0.869915012345496,0.384346850730999,0.832758179131995
            ENSG00000146648.21,2.14680488545861,1.21549151911169,1.51054532888625,0.804670668180405,0.421009750181637,NA
            ENSG00000227232.6,12.3,0.25,0.2,1.1,0.3,0.7
            """)
        assertCounts(patient, rows: 3, skipped: 0, matched: 2, unmatched: 1, stored: 2)
        assertFoldChanges(values, ["ENST00000269571": pow(2, -0.191290684481327), "ENST00000275493": pow(2, 1.21549151911169)])
    }

    func testMaxPadjSkipsRowsAboveItOrWithoutOne() throws {
        let (patient, values) = try run("P2.csv", """
            ,baseMean,log2FoldChange,lfcSE,stat,pvalue,padj
            ENSG00000141736.18,315.421766746298,-0.191290684481327,0.219895830933601,-0.869915012345496,0.384346850730999,0.832758179131995
            ENSG00000146648.21,2.14680488545861,1.21549151911169,1.51054532888625,0.804670668180405,0.421009750181637,NA
            ENSG00000136997,100,2,0.2,10,1e-20,0.05
            ENSG00000141510,100,-2,0.2,10,1e-20,0.0500001
            """) { $0.reading.maxPadj = 0.05 }
        assertCounts(patient, rows: 4, skipped: 3, matched: 1, unmatched: 0, stored: 1)
        XCTAssertEqual(patient.counts?.skippedPadj, 3)
        assertFoldChanges(values, ["ENST00000377970": 4])
    }

    func testDESeq2WithRenamedIdColumnAndNAInSymbols() throws {
        let (patient, values) = try run("P3.csv", """
            "ensembl_id","baseMean","log2FoldChange","lfcSE","pvalue","padj","stat","symbol"
            "ENSG00000000003",708.597861536998,-0.330508344677664,0.10110565248383,0.000153285545315219,0.00128920007141979,-3.78568532690298,"TSPAN6"
            "ENSG00000000419",520.296296925274,0.150087811702063,0.106996658303046,0.0650355841534337,0.194929095892262,1.8450134358895,"DPM1"
            "ENSG00000000460",1,0.5,1,1,1,1,NA
            """)
        assertCounts(patient, rows: 3, skipped: 0, matched: 3, unmatched: 0, stored: 3)
        assertFoldChanges(values, [
            "ENST00000373020": pow(2, -0.330508344677664), "ENST00000371588": pow(2, 0.150087811702063), "ENST00000359326": pow(2, 0.5),
        ])
    }

    func testTableWithoutIdsFailsWithTheColumnsAndTheFlag() throws {
        let (patient, _) = try run("P4.csv", """
            baseMean,log2FoldChange,lfcSE,stat,pvalue,padj
            997.439773207048,4.602525676927583,0.21177075671587214,21.733528029569655,9.890364158996044e-105,1.8381241789494146e-100
            """)
        XCTAssertEqual(patient.status, "failed")
        let error = try XCTUnwrap(patient.error)
        XCTAssertTrue(error.contains("P4.csv:1"), error)
        XCTAssertTrue(error.contains("baseMean (statistic, not a fold change), log2FoldChange (log2 fold change)"), error)
        XCTAssertTrue(error.contains("--id-column"), error)
        XCTAssertTrue(error.contains("looks written without ids"), error)
        XCTAssertNil(patient.output)
    }

    /// Issue 12: DESeq2's `results(tidy = TRUE)` names its id column `row`.
    func testDESeq2TidyResultsMatchByTheRowColumn() throws {
        let (patient, values) = try run("P5.csv", """
            "row","baseMean","log2FoldChange","lfcSE","stat","pvalue","padj"
            "ENSG00000141510.18",997.4,-2,0.2,21.7,9.9e-105,1.8e-100
            "ENSG00000146648.4",12.1,1.5,0.3,5.1,3e-07,NA
            "ERCC-00002",3.2,0.5,1.1,0.4,0.6,NA
            """)
        assertCounts(patient, rows: 3, skipped: 0, matched: 2, unmatched: 1, stored: 2)
        XCTAssertEqual(patient.dialect?.idColumn, "row")
        assertFoldChanges(values, ["ENST00000269305": 0.25, "ENST00000275493": pow(2, 1.5)])
    }

    /// A hint never says a table has no ids when a column holds them: an id column of an unknown
    /// name is pointed at instead.
    func testAnUnknownIdColumnIsNamedNotCalledMissing() throws {
        let (patient, _) = try run("P6.csv", """
            feature_name,baseMean,log2FoldChange,padj
            ENSG00000141510,997.4,-2,NA
            """)
        let error = try XCTUnwrap(patient.error)
        XCTAssertTrue(error.contains("Column feature_name holds text (\"ENSG00000141510\" in the first data row): if it holds the ids, choose it with --id-column feature_name"), error)
        XCTAssertFalse(error.contains("without ids"), error)
        let (empty, _) = try run("P7.csv", "feature_name,baseMean,log2FoldChange,padj\n")
        let emptyError = try XCTUnwrap(empty.error)
        XCTAssertTrue(emptyError.contains("if the table was written without ids"), emptyError)
    }

    func testEdgeRTablesWrittenByWriteTableAndWriteCSV() throws {
        let report = try PatientFixtures.run([
            // exactTest, write.table(quote = FALSE, sep = "\t"): no header field for the row names.
            "exact.tsv": "logFC\tlogCPM\tPValue\tFDR\nENSG00000141736\t3.1\t5.2\t1e-10\t2e-8\nENSG00000136997\t-0.75\t4\t0.01\t0.03\n",
            // glmLRT, write.csv.
            "lrt.csv": "\"\",\"logFC\",\"logCPM\",\"LR\",\"PValue\",\"FDR\"\n\"ENSG00000141736\",2.25,5.2,40.1,1e-10,2e-8\n\"MYC\",NA,4,0,1,1\n",
            // glmQLFTest with the DGEList's genes column, tab-separated with quotes: the ids are
            // in "genes", the row names are numbers.
            "ql.tsv": "\"genes\"\t\"logFC\"\t\"logCPM\"\t\"F\"\t\"PValue\"\t\"FDR\"\n\"1\"\t\"EGFR\"\t1.5\t3\t20\t1e-5\t1e-3\n",
        ], in: folder) { $0.threads = 2 }
        XCTAssertEqual(report.failed, [], "\(report.patients.map { $0.error ?? "" })")
        let values = try report.patients.map { try PatientFixtures.values(XCTUnwrap($0.output)) }
        XCTAssertEqual(report.patients.map(\.fileFormat), ["edger", "edger", "edger"])
        assertFoldChanges(values[0], ["ENST00000269571": pow(2, 3.1), "ENST00000377970": pow(2, -0.75)])
        assertFoldChanges(values[1], ["ENST00000269571": pow(2, 2.25)])
        XCTAssertEqual(report.patients[1].counts?.skippedMissing, 1)
        XCTAssertEqual(report.patients[2].dialect?.idColumn, "genes")
        assertFoldChanges(values[2], ["ENST00000275493": pow(2, 1.5)])
    }

    func testLimmaTopTable() throws {
        let report = try PatientFixtures.run([
            "limmaTab.tsv": "logFC\tAveExpr\tt\tP.Value\tadj.P.Val\tB\nBRCA1\t-2.5\t8.1\t-6\t1e-6\t1e-4\t5.5\nBRCA2\t-0.5\t7\t-1\t0.3\t0.6\t-4\nERBB2\t4.25\t9\t12\t1e-9\t1e-7\t9\n",
            "limmaCSV.csv": "\"\",\"logFC\",\"AveExpr\",\"t\",\"P.Value\",\"adj.P.Val\",\"B\"\n\"ENSG00000012048\",-2.5,8.1,-6,1e-6,1e-4,5.5\n",
        ], in: folder) { $0.reading.maxPadj = 0.01 }
        XCTAssertEqual(report.failed, [])
        XCTAssertEqual(report.patients.map(\.fileFormat), ["limma", "limma"])
        XCTAssertEqual(report.patients[0].counts?.skippedPadj, 1)
        assertFoldChanges(try PatientFixtures.values(XCTUnwrap(report.patients[0].output)), ["ENST00000357654": pow(2, -2.5), "ENST00000269571": pow(2, 4.25)])
        assertFoldChanges(try PatientFixtures.values(XCTUnwrap(report.patients[1].output)), ["ENST00000357654": pow(2, -2.5)])
    }

    func testLinearCSVAsTheMigrationGuideExportsIt() throws {
        let (patient, values) = try run("P5.csv", """
            transcript_id,cancer_fold
            ENST00000269305,2.45
            ENST00000371953.8,0.67
            enst00000267163,1.0
            ENST00000357654,0
            ENST00000380152,-1.5
            ENST00000269571,NA
            ENST00000275493,Inf
            ENST00000377970,high
            ENST00000000000,3.5
            ,4.5
            ENST00000620000,4.9e-324

            """)
        assertCounts(patient, rows: 11, skipped: 3, matched: 6, unmatched: 2, stored: 3)
        let counts = try XCTUnwrap(patient.counts)
        XCTAssertEqual([counts.skippedMissing, counts.skippedNonNumeric, counts.nonPositive, counts.baselineRows], [1, 2, 2, 1])
        XCTAssertEqual(patient.rejectsByReason, ["non_numeric_value": 2, "non_positive_fold_change": 2, "unmatched_id": 1, "missing_id": 1])
        XCTAssertEqual(patient.fileFormat, "fold_change_table")
        XCTAssertEqual(patient.normalizationMethod, "linear")
        assertFoldChanges(values, ["ENST00000269305": 2.45, "ENST00000371953": 0.67, "ENST00000620000": .leastNonzeroMagnitude])
    }

    func testTabSemicolonAndBOMWithCRLF() throws {
        let report = try PatientFixtures.run([
            "tab.tsv": "transcript_id\tgene_symbol\tfold_change\nENST00000269305\tTP53\t0.5\nENST00000377970\tMYC\t6\n",
            "semicolon.csv": "gene_symbol;log2_fold_change\nTP53;-1,5\nmyc;2,25\n",
            "bom.csv": "\u{FEFF}\"transcript_id\",\"cancer_fold\"\r\n\"ENST00000269305\",\"0.125\"\r\n\"ENST00000275493\",3.5\r\n",
        ], in: folder)
        XCTAssertEqual(report.failed, [])
        XCTAssertEqual(report.patients.map { $0.dialect?.delimiter }, ["\\t", ";", ","])
        let values = try report.patients.map { try PatientFixtures.values(XCTUnwrap($0.output)) }
        assertFoldChanges(values[0], ["ENST00000269305": 0.5, "ENST00000377970": 6])
        assertFoldChanges(values[1], ["ENST00000269305": pow(2, -1.5), "ENST00000377970": pow(2, 2.25)])
        assertFoldChanges(values[2], ["ENST00000269305": 0.125, "ENST00000275493": 3.5])
    }

    func testGzipCompressedFile() throws {
        let plain = try PatientFixtures.write(["P6.csv": "transcript_id,cancer_fold\nENST00000269305,2\n"], in: folder)[0]
        try Subprocess.shell("gzip -n \"$0\"", arguments: [plain])
        var options = PatientBatchOptions(core: PatientFixtures.corePath, output: path("out"))
        options.files = [plain + ".gz"]
        options.progress = .never
        let report = try PatientBatch.run(options)
        XCTAssertEqual(report.patients.first?.patientId, "P6")
        XCTAssertEqual(report.patients.first?.input.format, "csv (gzip)")
        assertFoldChanges(try PatientFixtures.values(XCTUnwrap(report.patients.first?.output)), ["ENST00000269305": 2])
    }

    func testMissingSymbolsAsRWritesThem() throws {
        let (patient, values) = try run("P8.csv", "\"symbol\",\"log2FoldChange\"\nNA,1\n\"TP53\",1\n")
        assertCounts(patient, rows: 2, skipped: 0, matched: 1, unmatched: 1, stored: 1)
        XCTAssertEqual(patient.rejectsByReason, ["missing_id": 1])
        assertFoldChanges(values, ["ENST00000269305": 2])
    }

    func testAllTranscriptsMapping() throws {
        let (patient, values) = try run("P7.csv", "gene_symbol,fc\ntp53,3\nENSG00000012048,0.5\n") { $0.symbolMapping = .allTranscripts }
        assertCounts(patient, rows: 2, skipped: 0, matched: 2, unmatched: 0, stored: 5)
        XCTAssertEqual(patient.counts?.matchedBySymbol, 1)
        assertFoldChanges(values, ["ENST00000269305": 3, "ENST00000359597": 3, "ENST00000413465": 3, "ENST00000357654": 0.5, "ENST00000471181": 0.5])
    }
}
