import Foundation
import MediabaseTestSupport
import MediabaseInput

/// The forms of `pg_dump` output mediabase reads, as made by the installed `pg_dump`.
enum DumpForm: String, CaseIterable {
    case plain, plainGzip, inserts, columnInserts, rowsPerInsert
    case custom, customUncompressed, directory, directoryUncompressed, tar

    /// The `pg_dump` options that produce this form.
    var pgDumpArguments: [String] {
        switch self {
        case .plain: return ["-Fp"]
        case .plainGzip: return ["-Fp", "-Z", "6"]
        case .inserts: return ["-Fp", "--inserts"]
        case .columnInserts: return ["-Fp", "--column-inserts"]
        case .rowsPerInsert: return ["-Fp", "--inserts", "--rows-per-insert=3"]
        case .custom: return ["-Fc"]
        case .customUncompressed: return ["-Fc", "-Z", "0"]
        case .directory: return ["-Fd"]
        case .directoryUncompressed: return ["-Fd", "-Z", "0"]
        case .tar: return ["-Ft"]
        }
    }

    /// The file (or, for `-Fd`, folder) name of the dump.
    var fileName: String {
        switch self {
        case .plain, .inserts, .columnInserts, .rowsPerInsert: return rawValue + ".sql"
        case .plainGzip: return rawValue + ".sql.gz"
        case .custom, .customUncompressed: return rawValue + ".dump"
        case .directory, .directoryUncompressed: return rawValue
        case .tar: return rawValue + ".tar"
        }
    }

    /// The format `DumpReader` must detect from the bytes.
    var expectedFormat: InputFormat {
        switch self {
        case .plain, .inserts, .columnInserts, .rowsPerInsert: return InputFormat(kind: .plain)
        case .plainGzip: return InputFormat(kind: .plain, gzip: true)
        case .custom, .customUncompressed: return InputFormat(kind: .custom)
        case .directory, .directoryUncompressed: return InputFormat(kind: .directory)
        case .tar: return InputFormat(kind: .tar)
        }
    }

    /// Whether the data is in `INSERT` statements rather than COPY blocks.
    var usesInserts: Bool { [.inserts, .columnInserts, .rowsPerInsert].contains(self) }
}

/// A database of hostile values in a private cluster, dumped in several ``DumpForm``s, with
/// PostgreSQL's own reading of every table as the expected result.
final class HostileDumps {
    /// The database the values live in.
    static let database = "hostile"

    let cluster: PostgresCluster
    /// Every table of the database as PostgreSQL prints it.
    let expected: [TableContents]

    /// Starts a cluster, loads ``sql`` and runs `pg_dump` once per form.
    init(forms: [DumpForm]) throws {
        cluster = try PostgresCluster.start()
        try cluster.createDatabase(Self.database)
        try cluster.psql(sql: Self.sql, database: Self.database)
        expected = try cluster.tableContents(database: Self.database)
        for form in forms {
            try cluster.pgDump(database: Self.database, arguments: form.pgDumpArguments, output: path(for: form))
        }
    }

    /// Where the dump in `form` is.
    func path(for form: DumpForm) -> String { cluster.workDirectory + "/" + form.fileName }

    /// The values, chosen to break a reader that takes any shortcut. In `hostile`, by row:
    /// 1 TAB, LF, CR and backslash; 2 `\.` as the whole value, array NULL / "NULL" / "" elements,
    /// JSON with escaped quotes, `\n` and `\u` escapes, json (not jsonb) kept verbatim with
    /// `\u0000` and duplicate keys, negative numeric, NaN; 3 `\.` alone on an inner line, array
    /// elements with quotes, backslash, braces, comma, spaces, TAB, LF, Infinity;
    /// 4 the text `\N`, a tiny negative numeric, a multibyte varchar(10);
    /// 5 the text `NULL`, numeric with 39 digits, 1.5e300; 6 quotes, braces, commas,
    /// semicolons, JSON keys `"` and `\`; 7 dollar quotes, -0; 8 and 9 psql meta-commands
    /// (`\! rm -rf /`) at the start of a line, subnormal float, far-future timestamp;
    /// 10 emoji, CJK, combining marks, RTL, BOM and ZWJ inside text; 11 empty strings
    /// everywhere; 12 NULL everywhere; 13 a 525,000-byte text; 14 control characters; 15 SQL and
    /// COPY statements as data, CRLF inside json; 16 every ASCII character, an array with
    /// explicit bounds `[0:1]=`, numeric -Infinity, a BC timestamp, all 256 byte values.
    /// Then the legacy table, a quoted mixed-case table with awkward column names, a table
    /// in another schema, and an empty table.
    static let sql = #"""
        CREATE TABLE hostile (
            id int PRIMARY KEY,
            t text,
            arr text[],
            j jsonb,
            js json,
            b boolean,
            n numeric,
            f double precision,
            ts timestamptz,
            by bytea,
            vc varchar(10),
            i2 int[][]
        );
        INSERT INTO hostile VALUES
         (1, E'tab\there\nnewline\rcr\\backslash', ARRAY['a', 'b c', ''], '{"k": "v"}', '{"k":"v"}', true, 0, 0, '2024-01-02 03:04:05+00', '\x00', 'plain', '{{1,2},{3,4}}'),
         (2, E'\\.', ARRAY[NULL, 'NULL', 'null', ''], '{"q": "say \"hi\"", "nl": "line\nnext", "u": "\u00e9\u2603\ud83d\ude00", "nested": {"a": [1, "x", null, true, 1.5e300]}}',
             '{"raw" : "kept\tas\u0000is", "dup": 1, "dup": 2}', false, -123.4500, 'NaN', '-infinity', '\x5c0a0d09ff', '', '{{-1,NULL},{NULL,2147483647}}'),
         (3, E'before\n\\.\nafter', ARRAY['a"b', E'c\\d', '{x}', 'a,b', ' sp ', E'tab\tin', E'nl\nin'], '[]', '[]', NULL, 'NaN', 'Infinity', 'infinity', '\x', 'ten chars!', '{}'),
         (4, E'\\N', '{}', '"just a string"', '"s"', true, '-0.000000000000000000001', '-Infinity', '1970-01-01 00:00:00.123456+00', NULL, 'ü漢😀', '{{0}}'),
         (5, 'NULL', NULL, 'null', 'null', false, 123456789012345678901234567890.123456789, 1.5e300, '2000-02-29 23:59:59.999999-05', decode('deadbeef', 'hex'), NULL, NULL),
         (6, $q$it's "quoted" {braces}, commas; semicolons$q$, ARRAY[$q$it's$q$, '"', E'\\', '}{', ',', ';'], '{"\"": 1, "\\": "\\\\"}', '{"a":[1,2,{"b":"c"}]}', true, 1e-10, 4.9e-324, '0001-01-01 00:00:00+00', '\x00000000', $$'$$, '{{1,2,3},{4,5,6}}'),
         (7, '$$ dollar $$ $body$', ARRAY['$$'], '{}', '{}', NULL, 42, '-0', 'epoch', '\x2e', '$$', '{{10},{20}}'),
         (8, E'\\! rm -rf /', ARRAY[E'\\! rm -rf /'], '{"cmd": "\\! rm -rf /"}', '"\\\\! rm"', false, -1, 1e-320, '294276-12-31 23:59:59+00', '\x5c2e0a', E'\\!', NULL),
         (9, E'\n\\! rm -rf /\n\\.\n', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (10, E'emoji 😀 CJK 漢字 combining e\u0301 rtl \u05d0 bom \ufeff zwj 👨\u200d👩\u200d👧', ARRAY['😀', '漢字', E'e\u0301'], '{"😀": "漢字", "e\u0301": "\u0301"}', '{"😀":"漢字"}', true, 3.14159, 2.718281828459045, 'infinity', convert_to('漢字', 'UTF8'), '漢字漢字漢字漢字漢字', '{{1}}'),
         (11, '', ARRAY['', '', ''], '""', '""', false, 0.0, 1, '-infinity', '\x', '', '{}'),
         (12, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (13, repeat(E'long\tline\\with "escapes"\n', 21000), ARRAY[repeat('x', 1000)], jsonb_build_object('big', repeat(E'\n', 1000)), NULL, true, 1, 1, NULL, NULL, NULL, NULL),
         (14, E'\x01\x02\x07\x08\x0b\x0c\x1b\x7f', ARRAY[E'\x08\x0c'], '{"ctl": "\u0001\u001f"}', '{"ctl":"\u0001"}', true, 1, 1, NULL, '\x0102', NULL, NULL),
         (15, 'COPY public.hostile (id) FROM stdin;', ARRAY['INSERT INTO x VALUES (1);'], '{"sql": "); DROP TABLE hostile; --"}', E'{\r\n"crlf": 1}\r\n', NULL, NULL, NULL, NULL, NULL, E'--\n', NULL),
         (16, (SELECT string_agg(chr(i), '' ORDER BY i) FROM generate_series(1, 127) AS i), '[0:1]={a,b}', '{"big": 1e400, "neg": -0.0, "exp": 1E-7, "esc": "\\u0000 \/ \b\f"}',
             E'{\n  "a" : [1,\n 2],\t"b":"\\u00e9"\n}', true, '-Infinity', '-0', '0044-03-15 12:00:00+00 BC',
             (SELECT decode(string_agg(lpad(to_hex(i), 2, '0'), '' ORDER BY i), 'hex') FROM generate_series(0, 255) AS i), 'a  ', '{{NULL,NULL}}');

        CREATE TABLE cancer_transcript_base (
            transcript_id text PRIMARY KEY,
            gene_symbol text,
            gene_id text,
            drugs jsonb,
            pathways text[],
            expression_fold_change double precision DEFAULT 1.0
        );
        INSERT INTO cancer_transcript_base VALUES
         ('ENST00000269305.4', 'TP53', 'ENSG00000141510', '{"4970": {"name": "tamoxifen", "mechanism": "ER antagonist", "evidence": {"type": "clinical", "score": 0.9}}, "pharmgkb_data": {"source": "PharmGKB", "pathway_data": {"PA145011113": {"pathway_name": "Tamoxifen Pathway", "reactions": [{"from": "a", "to": "b", "drugs": ["tamoxifen"], "pmids": ["123"]}]}}}}', ARRAY['Apoptosis [Reactome:R-HSA-109581]', 'Cell Cycle [Reactome:R-HSA-1640170]'], 1.0),
         ('ENST00000413465', 'TP53', 'ENSG00000141510', '{}', '{}', DEFAULT),
         ('ENST00000000233', 'ARF5', 'ENSG00000004059', '["aspirin", "ibuprofen"]', ARRAY['Metabolism [Reactome:R-HSA-1430728]'], 2.5),
         ('ENST00000000412', 'M6PR', 'ENSG00000003056', '"\"{\\\"x\\\": 1}\""', NULL, 0.25),
         ('ENST00000001008', 'FKBP4', 'ENSG00000004478', NULL, ARRAY[NULL, 'NULL', 'Signal Transduction'], NULL);

        CREATE TABLE "MixedCase" ("Id" int, "Weird Col" text, "Weird, ""Col""" text);
        INSERT INTO "MixedCase" VALUES (1, 'a', 'b'), (2, NULL, E'x\ty');

        CREATE SCHEMA other;
        CREATE TABLE other.t2 (k text, v int);
        INSERT INTO other.t2 VALUES ('x', 1), ('y', NULL), (NULL, 3);

        CREATE TABLE empty_table (a int, b text);
        """#
}
