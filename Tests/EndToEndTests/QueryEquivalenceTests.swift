import Foundation
import MediabaseTestSupport
import XCTest

/// `rewrite-query`'s proof of equivalence (docs/spec.md §9): every v0.5 query of `Tests/QueryCorpus`
/// runs as written on a v0.5 per-patient database and, rewritten, on the same data in v0.6 —
/// the core and patient bundles loaded with `load.sh` into PostgreSQL, and the SQLite files
/// attached as `public` and `patient_p1` — and must return the same rows.
///
/// The v0.5 database is the generated legacy dump restored into PostgreSQL, made clean the way
/// v0.6 is by definition (docs/spec.md §4.1: version suffixes stripped, one value per gene attribute),
/// with extra `opentargets_known_drugs` rows so that the drug joins return something, and the
/// patient's fold changes from the generated v0.5 per-patient dump UPDATEd into
/// `expression_fold_change`. The v0.6 side is made from dumps of that database with the
/// built binary: `convert` from the core, `patients` from the per-patient table.
///
/// Each corpus file starts with `-- compare: unordered | ordered | ordered by N,M | error`:
/// `ordered by` names the output columns of the ORDER BY, so rows that tie on them may come in
/// any order; `error` expects PostgreSQL to fail the same way on both sides; `refused` expects
/// rewrite-query to refuse the query. On PostgreSQL the output column names must be the same too.
/// `-- sqlite: refused` expects `--dialect sqlite` to refuse the query, `-- sqlite: skip` to
/// leave SQLite out.
final class QueryEquivalenceTests: PostgresBundleTestCase {
    private static let corpus = (repositoryRoot as NSString).appendingPathComponent("Tests/QueryCorpus")

    private static var binary: String { Repository.binary }

    private func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    @discardableResult
    private func mediabase(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try Subprocess.shell("exec \"$0\" \"$@\"", arguments: [Self.binary] + arguments)
        XCTAssertEqual(result.status, 0, "mediabase \(arguments.joined(separator: " ")): \(result.text)", file: file, line: line)
        return result.text
    }

    /// Runs a psql script file in `database`; throws with psql's message when it fails.
    private func psqlFile(_ database: String, _ script: String) throws {
        let result = try Subprocess.shell("psql -X -q -v ON_ERROR_STOP=1 -d \"$0\" -f \"$1\"", arguments: [database, script], environment: postgres.environment)
        guard result.status == 0 else { throw Failure("psql -f \(script) on \(database): \(result.text)") }
    }

    // MARK: - The two databases

    private func buildDatabases() throws {
        try mediabase(["generate", "--seed", "11", "--genes", "60", "--clean", "--patients", "1", "--patient-dialects", "legacy-dump",
                       "--out", path("generated")])
        let patientDump = try FileManager.default.contentsOfDirectory(atPath: path("generated/patients")).first { $0.hasSuffix(".sql") }
        let patientDumpPath = path("generated/patients/" + (patientDump ?? "missing"))

        try postgres.createDatabase("v05")
        try psqlFile("v05", path("generated/mbase.sql"))
        try postgres.psql(sql: """
            -- docs/spec.md §4.1: v0.6 trims ids, symbols and chromosome names and strips the version of an
            -- Ensembl id; --clean plants no duplicate, so this only renames.
            CREATE FUNCTION pg_temp.ensembl(id text) RETURNS text LANGUAGE sql AS $$
                SELECT regexp_replace(regexp_replace(btrim(id), '^ensembl:', '', 'i'), '^(ENS[A-Z]*[0-9]+)\\.[0-9]+$', '\\1', 'i')
            $$;
            UPDATE public.cancer_transcript_base
               SET transcript_id = pg_temp.ensembl(transcript_id), gene_id = pg_temp.ensembl(gene_id),
                   gene_symbol = btrim(gene_symbol), gene_type = btrim(gene_type), chromosome = btrim(chromosome);
            -- docs/spec.md §4.1: a gene's scalar attribute is the one of its row with the smallest transcript id.
            UPDATE public.cancer_transcript_base c
               SET gene_symbol = f.gene_symbol, gene_type = f.gene_type, chromosome = f.chromosome
              FROM (SELECT DISTINCT ON (gene_id) gene_id, gene_symbol, gene_type, chromosome
                      FROM public.cancer_transcript_base ORDER BY gene_id, transcript_id) f
             WHERE f.gene_id = c.gene_id;
            -- More known drugs than the generator's one per 20 genes: one for every third gene,
            -- a second for every fifth, approved or not in turn.
            INSERT INTO public.opentargets_known_drugs
                   (id, molecule_chembl_id, molecule_name, molecule_type, target_gene_id, phase, clinical_phase_label, is_approved, mechanism_of_action, action_type)
            SELECT 1000 + n * 2 + k, 'CHEMBL9' || (n * 2 + k), 'TESTDRUG' || lpad((n * 2 + k)::text, 3, '0'), 'Small molecule', gene_id,
                   CASE WHEN (n + k) % 2 = 0 THEN 4 ELSE 2 END, CASE WHEN (n + k) % 2 = 0 THEN 'Approved' ELSE 'Phase II' END,
                   (n + k) % 2 = 0, 'Test mechanism ' || n, 'INHIBITOR'
              FROM (SELECT gene_id, row_number() OVER (ORDER BY gene_id) AS n FROM (SELECT DISTINCT gene_id FROM public.cancer_transcript_base) d) g
              JOIN (VALUES (0), (1)) AS extra(k) ON (k = 0 AND n % 3 = 0) OR (k = 1 AND n % 5 = 0);
            """, database: "v05")
        // The v0.6 core is converted from this database, with every fold change at 1.0.
        try Subprocess.shell("\"$0\"/pg_dump -d v05 -f \"$1\"", arguments: [postgres.binDirectory, path("core05.sql")], environment: postgres.environment)
            .check("pg_dump v05")

        // The patient's values, from the generated v0.5 per-patient dump.
        try postgres.createDatabase("patient05")
        try psqlFile("patient05", patientDumpPath)
        let values = try postgres.copyOut(query: "SELECT regexp_replace(btrim(transcript_id), '\\.[0-9]+$', ''), expression_fold_change FROM public.cancer_transcript_base", database: "patient05")
        try Data(values).write(to: URL(fileURLWithPath: path("values.tsv")))
        try postgres.psql(sql: """
            CREATE TEMP TABLE patient_values (transcript_id text PRIMARY KEY, expression_fold_change double precision);
            \\copy patient_values FROM '\(path("values.tsv"))'
            UPDATE public.cancer_transcript_base c SET expression_fold_change = v.expression_fold_change
              FROM patient_values v WHERE v.transcript_id = c.transcript_id;
            """, database: "v05")
        let matched = try postgres.psql(sql: "SELECT count(*) FROM public.cancer_transcript_base WHERE expression_fold_change <> 1", database: "v05")
        XCTAssertGreaterThan(Int(matched.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 20, "the patient changes some transcripts")
        // The per-patient v0.5 table as `mediabase patients` reads it.
        try Subprocess.shell("\"$0\"/pg_dump -d v05 -t public.cancer_transcript_base -f \"$1\"", arguments: [postgres.binDirectory, path("patient05.sql")], environment: postgres.environment)
            .check("pg_dump patient table")
        // v0.5 had a genes table beside the legacy one (the guide's query 2 joins it).
        try postgres.psql(sql: """
            CREATE TABLE public.genes AS
            SELECT DISTINCT gene_id, gene_symbol, gene_type, chromosome FROM public.cancer_transcript_base;
            """, database: "v05")

        try mediabase(["convert", path("core05.sql"), "--to", "bundle", path("core.bundle"), "--progress", "never"])
        try mediabase(["convert", path("core05.sql"), "--to", "sqlite", path("core.sqlite"), "--progress", "never"])
        try mediabase(["patients", path("patient05.sql"), "--patient-id", "P1", "--core", path("core.sqlite"), "--to", "bundle", path("core.bundle"), "--progress", "never"])
        try mediabase(["patients", path("patient05.sql"), "--patient-id", "P1", "--core", path("core.sqlite"), "--to", "sqlite", path("patients"), "--progress", "never"])
        try postgres.createDatabase("v06")
        try Subprocess.shell("\"$0\"/load.sh v06", arguments: [path("core.bundle")], environment: postgres.environment).check("load.sh")
    }

    // MARK: - The test

    func testEveryCorpusQueryReturnsTheSameRowsAfterTheRewrite() throws {
        try buildDatabases()

        // The premise: per transcript, the two sides hold the same values.
        let v05 = try postgresRows("v05", """
            SELECT transcript_id, gene_id, gene_symbol, gene_type, chromosome, coordinates->>'start', coordinates->>'end',
                   coordinates->>'strand', expression_fold_change FROM cancer_transcript_base ORDER BY 1
            """)
        let v06 = try postgresRows("v06", """
            SELECT t.transcript_id, t.gene_id, g.gene_symbol, g.gene_type, g.chromosome, t.start_position, t.end_position, t.strand,
                   COALESCE(pe.expression_fold_change, 1.0) FROM public.transcripts t
            LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id JOIN public.genes g ON t.gene_id = g.gene_id ORDER BY 1
            """)
        XCTAssertGreaterThan(v05.rows.count, 100, "the generated database has some data")
        assertSameRows(v05, v06, mode: "ordered", "v0.5 and v0.6 hold the same data")

        var files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { $0.hasSuffix(".sql") }.sorted()
        // `-- compare: refused`: rewrite-query must refuse the query, naming the file and place.
        var refused = 0
        for file in files {
            let original = (Self.corpus as NSString).appendingPathComponent(file)
            guard directive("compare", in: try String(contentsOfFile: original, encoding: .utf8)) == "refused" else { continue }
            let run = try Subprocess.shell("exec \"$0\" rewrite-query \"$1\" --patient-id P1", arguments: [Self.binary, original])
            XCTAssertEqual(run.status, 1, "\(file): rewrite-query should refuse it: \(run.text)")
            XCTAssertTrue(run.text.hasPrefix("\(original):"), "\(file): the refusal names the file and place: \(run.text)")
            refused += 1
        }
        files = files.filter { file in
            let text = (try? String(contentsOfFile: (Self.corpus as NSString).appendingPathComponent(file), encoding: .utf8)) ?? ""
            return directive("compare", in: text) != "refused"
        }
        XCTAssertGreaterThanOrEqual(files.count, 43, "the guide's three queries and at least 40 more")
        XCTAssertGreaterThan(refused, 0, "the corpus has refused queries")
        var compared = (postgres: 0, sqlite: 0, nonEmpty: 0)
        let originals = files.map { (Self.corpus as NSString).appendingPathComponent($0) }
        let rewrites = files.map { path($0 + ".v06.sql") }
        for (original, rewritten) in zip(originals, rewrites) {
            try mediabase(["rewrite-query", original, "--patient-id", "P1", "--out", rewritten])
        }
        // One psql session per database runs all the queries (a psql start per query costs more
        // than the query).
        let resultsBefore = try postgresBatch("v05", originals)
        let resultsAfter = try postgresBatch("v06", rewrites)
        for (index, file) in files.enumerated() {
            let original = originals[index]
            let rewritten = rewrites[index]
            let text = try String(contentsOfFile: original, encoding: .utf8)
            let mode = directive("compare", in: text) ?? "missing"
            let sqliteMode = directive("sqlite", in: text)
            let before = resultsBefore[index]
            let after = resultsAfter[index]
            if mode == "error" {
                let errorBefore = try postgresError("v05", file: original)
                let errorAfter = try postgresError("v06", file: rewritten)
                XCTAssertNotNil(errorBefore, "\(file): the original should fail on v0.5")
                XCTAssertEqual(errorBefore, errorAfter, "\(file): the rewrite should fail the same way on v0.6")
                continue
            }
            guard let before else { XCTFail("\(file): the original fails on v0.5: \(try postgresError("v05", file: original) ?? "")"); continue }
            guard let after else { XCTFail("\(file): the rewrite fails on v0.6: \(try postgresError("v06", file: rewritten) ?? "")"); continue }
            assertSameRows(before, after, mode: mode, "\(file) on PostgreSQL")
            if after.header.count == before.header.count {
                XCTAssertEqual(after.header, before.header, "\(file): the rewrite's output columns keep PostgreSQL's names")
            }
            compared.postgres += 1
            if !before.rows.isEmpty { compared.nonEmpty += 1 }

            let sqliteFile = path(file + ".sqlite.sql")
            let sqliteRun = try Subprocess.shell("exec \"$0\" rewrite-query \"$1\" --patient-id P1 --dialect sqlite --out \"$2\"", arguments: [Self.binary, original, sqliteFile])
            switch sqliteMode {
            case "skip":
                continue
            case "refused":
                XCTAssertEqual(sqliteRun.status, 1, "\(file): --dialect sqlite should refuse it")
                XCTAssertTrue(sqliteRun.text.contains("\(file):"), "\(file): the refusal names the file and place: \(sqliteRun.text)")
                continue
            default:
                XCTAssertEqual(sqliteRun.status, 0, "\(file): \(sqliteRun.text)")
            }
            let fromSQLite = try sqliteRows(file: sqliteFile)
            guard let fromSQLite else { XCTFail("\(file): the SQLite rewrite fails: \(try sqliteError(file: sqliteFile))"); continue }
            assertSameRows(before, fromSQLite, mode: mode, "\(file) on SQLite")
            compared.sqlite += 1
        }
        // The guide's own v0.6 versions of its queries 1 and 2 (patient schema filled in) give
        // the rows of the tool's rewrites; the guide adds `clinical_phase_label` to query 2.
        let guideRewrites = [
            ("guide_1_overexpressed.sql", 2, """
                SELECT g.gene_symbol, COALESCE(pe.expression_fold_change, 1.0) as fold_change
                FROM public.transcripts t
                LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id
                JOIN public.genes g ON t.gene_id = g.gene_id
                WHERE COALESCE(pe.expression_fold_change, 1.0) > 2.0
                ORDER BY COALESCE(pe.expression_fold_change, 1.0) DESC
                LIMIT 20;
                """),
            ("guide_2_drug_targeting.sql", 4, """
                SELECT g.gene_symbol, COALESCE(pe.expression_fold_change, 1.0) as fold_change, okd.molecule_name,
                       okd.mechanism_of_action, okd.clinical_phase_label
                FROM public.transcripts t
                LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id
                JOIN public.genes g ON t.gene_id = g.gene_id
                JOIN public.opentargets_known_drugs okd ON g.gene_id = okd.target_gene_id
                WHERE COALESCE(pe.expression_fold_change, 1.0) > 3.0
                  AND okd.is_approved = true
                ORDER BY COALESCE(pe.expression_fold_change, 1.0) DESC;
                """),
        ]
        for (file, columns, printed) in guideRewrites {
            guard let index = files.firstIndex(of: file), let ours = resultsAfter[index] else {
                XCTFail("\(file): no result of the rewrite")
                continue
            }
            var guide = try postgresRows("v06", printed)
            guide.rows = guide.rows.map { Array($0.prefix(columns)) }
            guide.header = ours.header
            XCTAssertFalse(guide.rows.isEmpty, "\(file): the guide's v0.6 query returns rows")
            assertSameRows(guide, ours, mode: "ordered by 2", "\(file): the guide's printed v0.6 query and the rewrite")
        }
        XCTAssertGreaterThanOrEqual(compared.postgres, 43)
        XCTAssertGreaterThanOrEqual(compared.sqlite, 40)
        XCTAssertGreaterThanOrEqual(compared.nonEmpty, compared.postgres - 2, "nearly every query returns rows, so that the comparison says something")
    }

    func testTheCommandChecksThePatientIdAndWritesNothingWhenItRefuses() throws {
        let query = path("query.sql")
        try Data("SELECT gene_symbol FROM cancer_transcript_base;\nSELECT drugs FROM cancer_transcript_base;\n".utf8).write(to: URL(fileURLWithPath: query))
        let badId = try Subprocess.shell("exec \"$0\" rewrite-query \"$1\" --patient-id 'x; DROP TABLE y' --out \"$2\"", arguments: [Self.binary, query, path("out.sql")])
        XCTAssertNotEqual(badId.status, 0)
        XCTAssertTrue(badId.text.contains("patient id") && badId.text.contains("^[A-Za-z][A-Za-z0-9_]{0,62}$"), badId.text)
        let refused = try Subprocess.shell("exec \"$0\" rewrite-query \"$1\" --patient-id P1 --out \"$2\"", arguments: [Self.binary, query, path("out.sql")])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.text.hasPrefix("\(query):2:8: column \"drugs\" of cancer_transcript_base has no scalar home in v0.6"), refused.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.sql")), "nothing is written on a refusal")
        let piped = try Subprocess.shell("exec \"$0\" rewrite-query --patient-id P1 --dialect sqlite", arguments: [Self.binary], input: Data("SELECT gene_symbol FROM cancer_transcript_base".utf8))
        XCTAssertEqual(piped.status, 0)
        XCTAssertEqual(piped.text, "SELECT g.gene_symbol FROM public.transcripts t LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id JOIN public.genes g ON t.gene_id = g.gene_id")
    }

    // MARK: - Comparing

    /// Compares a v0.5 result with a v0.6 one. When the rewrite returns fewer columns (a
    /// `SELECT *`, whose columns without a v0.6 home are left out), the v0.5 rows are compared
    /// on the columns of the same names.
    private func assertSameRows(_ expected: ResultTable, _ actual: ResultTable, mode: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        var expectedRows = expected.rows
        if !actual.header.isEmpty, actual.header.count < expected.header.count {
            let positions = actual.header.map { name in expected.header.firstIndex(of: name) }
            guard positions.allSatisfy({ $0 != nil }) else {
                XCTFail("\(what): columns \(actual.header) are not among the original's \(expected.header)", file: file, line: line)
                return
            }
            expectedRows = expectedRows.map { row in positions.map { row[$0!] } }
        }
        let want = expectedRows.map(normalized)
        let got = actual.rows.map(normalized)
        guard want.count == got.count else {
            XCTFail("\(what): \(got.count) rows, the original gives \(want.count)", file: file, line: line)
            return
        }
        switch mode {
        case "unordered":
            assertEqualRows(want.sorted(by: lexicographic), got.sorted(by: lexicographic), what, file: file, line: line)
        case "ordered":
            assertEqualRows(want, got, what, file: file, line: line)
        default:
            // `ordered by 2,3`: the sort keys come in the same order; rows that tie may not.
            let keys = mode.dropFirst("ordered by".count).split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { $0 - 1 }
            guard mode.hasPrefix("ordered by"), !keys.isEmpty else {
                XCTFail("\(what): unknown compare mode \(mode)", file: file, line: line)
                return
            }
            assertEqualRows(want.map { row in keys.map { row[$0] } }, got.map { row in keys.map { row[$0] } }, "\(what): the order", file: file, line: line)
            assertEqualRows(tieGroups(want, keys).flatMap { $0 }, tieGroups(got, keys).flatMap { $0 }, "\(what): the rows", file: file, line: line)
        }
    }

    /// Names the first row that differs rather than printing both results whole.
    private func assertEqualRows(_ want: [[String]], _ got: [[String]], _ what: String, file: StaticString, line: UInt) {
        guard want != got else { return }
        let index = (0..<min(want.count, got.count)).first { want[$0] != got[$0] } ?? min(want.count, got.count)
        let wantRow = index < want.count ? want[index].joined(separator: "|") : "(none)"
        let gotRow = index < got.count ? got[index].joined(separator: "|") : "(none)"
        XCTFail("\(what): row \(index + 1) of \(want.count) is \(gotRow), the original's is \(wantRow)", file: file, line: line)
    }

    private func tieGroups(_ rows: [[String]], _ keys: [Int]) -> [[[String]]] {
        var groups: [[[String]]] = []
        var previous: [String]?
        for row in rows {
            let key = keys.map { row[$0] }
            if key == previous { groups[groups.count - 1].append(row) } else { groups.append([row]) }
            previous = key
        }
        return groups.map { $0.sorted(by: lexicographic) }
    }

    private func lexicographic(_ left: [String], _ right: [String]) -> Bool { left.lexicographicallyPrecedes(right) }

    /// One spelling per value: numbers to 10 significant digits (PostgreSQL prints the shortest
    /// exact double, SQLite 15 digits, and numeric and REAL differ in trailing zeros), booleans
    /// as 1/0 (SQLite's), JSON without the blanks PostgreSQL's jsonb output puts after `:`/`,`.
    private func normalized(_ row: [String]) -> [String] {
        row.map { value in
            if value == "t" { return "1" }
            if value == "f" { return "0" }
            if let number = Double(value), value.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true {
                let text = String(format: "%.10g", number)
                return text == "-0" ? "0" : text
            }
            if value.hasPrefix("{") { return value.replacingOccurrences(of: ": ", with: ":").replacingOccurrences(of: ", ", with: ",") }
            return value
        }
    }

    private func directive(_ name: String, in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("-- \(name):") {
            return line.dropFirst("-- \(name):".count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    // MARK: - Running queries

    struct ResultTable {
        var header: [String]
        var rows: [[String]]
    }

    private func postgresRows(_ database: String, _ sql: String) throws -> ResultTable {
        let script = path(UUID().uuidString + ".sql")
        try Data(sql.utf8).write(to: URL(fileURLWithPath: script))
        return try postgresRows(database, file: script)
    }

    private func postgresRows(_ database: String, file: String) throws -> ResultTable {
        let result = try Subprocess.shell("psql -X -q --csv -v ON_ERROR_STOP=1 -d \"$0\" -f \"$1\"", arguments: [database, file], environment: postgres.environment, mergingErrors: false)
        guard result.status == 0 else { throw Failure(String(decoding: result.errors, as: UTF8.self)) }
        return try Self.parseCSV(String(decoding: result.output, as: UTF8.self))
    }

    /// Runs each script in one psql session, its CSV output to a file of its own: the result of
    /// each, or nil for one that failed (its output file stays empty: psql's CSV always has a
    /// header).
    private func postgresBatch(_ database: String, _ scripts: [String]) throws -> [ResultTable?] {
        let outputs = scripts.indices.map { path("\(database)-\($0).csv") }
        var batch = ""
        for (script, output) in zip(scripts, outputs) {
            batch += "\\o '\(output)'\n\\i '\(script)'\n"
        }
        batch += "\\o\n"
        let batchFile = path("\(database)-batch.psql")
        try Data(batch.utf8).write(to: URL(fileURLWithPath: batchFile))
        _ = try Subprocess.shell("psql -X -q --csv -d \"$0\" -f \"$1\"", arguments: [database, batchFile], environment: postgres.environment, mergingErrors: false)
        return try outputs.map { output in
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.isEmpty ? nil : try Self.parseCSV(text)
        }
    }

    /// PostgreSQL's error for the script, without the `psql:file:line:` prefix; nil if it runs.
    private func postgresError(_ database: String, file: String) throws -> String? {
        let result = try Subprocess.shell("psql -X -q --csv -v ON_ERROR_STOP=1 -d \"$0\" -f \"$1\"", arguments: [database, file], environment: postgres.environment, mergingErrors: false)
        guard result.status != 0 else { return nil }
        let message = String(decoding: result.errors, as: UTF8.self).split(separator: "\n").first { $0.contains("ERROR:") } ?? ""
        return message.range(of: "ERROR:").map { String(message[$0.lowerBound...]) } ?? String(message)
    }

    private func sqliteCommand(_ file: String) -> (String, [String]) {
        ("exec sqlite3 -bail -csv -header -cmd \"ATTACH '$0' AS public\" -cmd \"ATTACH '$1' AS patient_p1\" :memory: \".read $2\"",
         [path("core.sqlite"), path("patients/patient_p1.sqlite"), file])
    }

    private func sqliteRows(file: String) throws -> ResultTable? {
        let (command, arguments) = sqliteCommand(file)
        let result = try Subprocess.shell(command, arguments: arguments, environment: ProcessInfo.processInfo.environment, mergingErrors: false)
        guard result.status == 0, result.errors.isEmpty else { return nil }
        // sqlite3 prints no header for no rows.
        if result.output.isEmpty { return ResultTable(header: [], rows: []) }
        return try Self.parseCSV(String(decoding: result.output, as: UTF8.self))
    }

    private func sqliteError(file: String) throws -> String {
        let (command, arguments) = sqliteCommand(file)
        return String(decoding: try Subprocess.shell(command, arguments: arguments, environment: ProcessInfo.processInfo.environment, mergingErrors: false).errors, as: UTF8.self)
    }

    /// RFC 4180 CSV with a header (psql --csv, sqlite3 -csv -header); NULL and '' both read as
    /// an empty field.
    static func parseCSV(_ text: String) throws -> ResultTable {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text.unicodeScalars)
        if characters.last != "\n" { characters.append("\n") }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if quoted {
                if character == "\"" {
                    if index + 1 < characters.count, characters[index + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field)
                field = ""
            } else if character == "\n" {
                record.append(field)
                if record.count == 1, record[0].hasSuffix("\r") { record[0].removeLast() }
                records.append(record.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 })
                record = []
                field = ""
            } else {
                field.unicodeScalars.append(character)
            }
            index += 1
        }
        guard let header = records.first else { throw Failure("no CSV header in the query output") }
        return ResultTable(header: header, rows: Array(records.dropFirst()))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

private extension Subprocess.Outcome {
    func check(_ what: String) throws {
        guard status == 0 else { throw QueryEquivalenceTests.Failure("\(what) failed: \(text)") }
    }
}
