import Foundation
import MediabaseTestSupport
import XCTest
import MediabaseSQLite
import MediabaseModel
import MediabaseOutput
import MediabasePipeline

/// The legacy fixture loaded into a real PostgreSQL, dumped by the installed `pg_dump` in every
/// form and exported as CSV: converting any of them must give the same core.
final class ConvertFormsTests: XCTestCase {
    private static var shared: Result<PostgresCluster, Error>?
    private static let database = "legacy"
    private var cluster: PostgresCluster!

    override func setUpWithError() throws {
        if Self.shared == nil {
            Self.shared = Result {
                let cluster = try PostgresCluster.start()
                try cluster.createDatabase(Self.database)
                let fixture = try String(contentsOfFile: Self.fixture, encoding: .utf8)
                try cluster.psql(sql: fixture, database: Self.database)
                return cluster
            }
        }
        cluster = try Self.shared!.get()
    }

    override class func tearDown() {
        (try? shared?.get())?.stop()
        shared = nil
        super.tearDown()
    }

    private static var fixture: String { Repository.path("fixtures/legacy/corruption_cases.sql") }

    /// Converts `input` and returns every core table's rows, in rowid order, as text.
    private func core(of input: String, name: String) throws -> [String: [[String?]]] {
        var options = ConversionOptions(input: input, output: cluster.workDirectory + "/" + name + ".sqlite")
        options.progress = .never
        options.force = true
        options.reportPath = cluster.workDirectory + "/" + name + ".report.json"
        let report = try Conversion.run(options)
        XCTAssertTrue(report.validation.allSatisfy(\.passed), "\(name): \(report.validation)")
        let db = try SQLiteDatabase(path: options.output, readOnly: true)
        var tables: [String: [[String?]]] = [:]
        for table in CoreTable.outputTables.map(\.rawValue) + SchemaFiles.viewTables {
            tables[table] = try db.rows("SELECT * FROM \(table) ORDER BY rowid")
        }
        return tables
    }

    /// The same data in any form gives the same rows in the same order. (The hand-written
    /// fixture itself is not the reference: loading it into jsonb reorders object keys, and with
    /// them the order in which links are first seen.)
    func testEveryDumpFormGivesTheSameCore() throws {
        var reference: [String: [[String?]]]?
        for form in DumpForm.allCases {
            let path = cluster.workDirectory + "/" + form.fileName
            try cluster.pgDump(database: Self.database, arguments: form.pgDumpArguments, output: path)
            let converted = try core(of: path, name: form.rawValue)
            guard let reference else {
                XCTAssertEqual(converted["genes"]?.count, 4)
                XCTAssertEqual(converted["opentargets_known_drugs"]?.count, nil, "carried tables are not core tables")
                reference = converted
                continue
            }
            for (table, rows) in reference.sorted(by: { $0.key < $1.key }) {
                XCTAssertEqual(converted[table], rows, "\(form): \(table)")
            }
        }
        let fixture = try core(of: Self.fixture, name: "fixture")
        for (table, rows) in fixture where table != "drug_interactions" {
            XCTAssertEqual(Set(rows.map(\.description)), Set(reference?[table]?.map(\.description) ?? []), "fixture vs dump: \(table)")
        }
    }

    func testCSVExportGivesTheSameLegacyCore() throws {
        let csv = cluster.workDirectory + "/export.csv"
        try cluster.psql(sql: "\\copy public.cancer_transcript_base TO '\(csv)' WITH CSV HEADER", database: Self.database)
        let plain = cluster.workDirectory + "/for-csv.sql"
        try cluster.pgDump(database: Self.database, arguments: ["-Fp", "-t", "cancer_transcript_base"], output: plain)
        let fromCSV = try core(of: csv, name: "csv")
        let fromDump = try core(of: plain, name: "plain-legacy-only")
        for table in CoreTable.outputTables.map(\.rawValue) + SchemaFiles.viewTables {
            XCTAssertEqual(fromCSV[table], fromDump[table], table)
        }
    }
}
