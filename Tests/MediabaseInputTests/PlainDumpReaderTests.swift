import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes
@testable import MediabaseInput
import MediabaseModel

final class PlainDumpReaderTests: XCTestCase {
    private func read(_ script: String, file: String = "test.sql") throws -> (CollectingSink, DumpInfo) {
        let reader = PlainDumpReader(stream: MemoryByteStream(script), file: file)
        let sink = CollectingSink()
        try reader.read(into: sink)
        return (sink, reader.info)
    }

    private let header = """
        --
        -- PostgreSQL database dump
        --

        \\restrict AbCdEf0123456789

        -- Dumped from database version 17.6
        -- Dumped by pg_dump version 17.6

        SET statement_timeout = 0;
        SET client_encoding = 'UTF8';
        SET standard_conforming_strings = on;
        SELECT pg_catalog.set_config('search_path', '', false);

        """

    func testCopyBlockWithTypesFromCreateTable() throws {
        let script = header + """
            CREATE TABLE public.t (
                id integer NOT NULL,
                name character varying(50) DEFAULT 'x;y'::character varying,
                tags text[],
                doc jsonb,
                CONSTRAINT t_check CHECK ((id > 0))
            );

            ALTER TABLE public.t OWNER TO u;

            COPY public.t (id, name, tags, doc) FROM stdin;
            1\tfoo\t{a,"b c"}\t{"k": "v\\\\n"}
            2\t\\N\t{}\t\\N
            3\ttab\\there\\\\back\t{NULL}\t{}
            \\.


            ALTER TABLE ONLY public.t
                ADD CONSTRAINT t_pkey PRIMARY KEY (id);

            --
            -- PostgreSQL database dump complete
            --

            \\unrestrict AbCdEf0123456789

            """
        let (sink, info) = try read(script)
        XCTAssertEqual(info.serverVersion, "17.6")
        XCTAssertEqual(info.pgDumpVersion, "17.6")
        XCTAssertEqual(info.encoding, "UTF8")
        XCTAssertTrue(info.restricted)
        let table = try XCTUnwrap(sink.table("public.t"))
        XCTAssertEqual(table.schema.columns.map(\.type), ["integer", "character varying(50)", "text[]", "jsonb"])
        XCTAssertEqual(table.rows.count, 3)
        XCTAssertEqual(table.rows[0], ["1", "foo", "{a,\"b c\"}", "{\"k\": \"v\\n\"}"])
        XCTAssertEqual(table.rows[1], ["2", nil, "{}", nil])
        XCTAssertEqual(table.rows[2], ["3", "tab\there\\back", "{NULL}", "{}"])
        XCTAssertEqual(table.reportedRows, 3)
        XCTAssertEqual(table.lines.first, 25)
    }

    /// pg_dump writes a table's primary key after all the data (`ALTER TABLE ONLY ... ADD
    /// CONSTRAINT ... PRIMARY KEY`); an archive's TOC names it before. A key declared before a
    /// table's data comes with the table; one declared after it is passed on on its own, once,
    /// for a table whose data came as COPY or as INSERTs; a key of a table without data is not.
    func testPrimaryKeyDeclaredAfterTheData() throws {
        let script = header + """
            CREATE TABLE public.t (id integer NOT NULL, name text);
            CREATE TABLE public.inline (id text PRIMARY KEY, n integer);
            CREATE TABLE public.i (a integer, b text, c text);
            CREATE TABLE public.empty (id integer);
            ALTER TABLE ONLY public.inline ADD CONSTRAINT inline_pkey PRIMARY KEY (id);

            COPY public.t (id, name) FROM stdin;
            1\tone
            \\.

            COPY public.inline (id, n) FROM stdin;
            x\t1
            \\.

            INSERT INTO public.i VALUES (1, 'b', 'c');
            INSERT INTO public.i VALUES (2, 'b', 'c');

            ALTER TABLE ONLY public.t
                ADD CONSTRAINT t_pkey PRIMARY KEY (id);
            ALTER TABLE ONLY public.i
                ADD CONSTRAINT i_pkey PRIMARY KEY (a, b);
            ALTER TABLE ONLY public.empty
                ADD CONSTRAINT empty_pkey PRIMARY KEY (id);
            CREATE INDEX t_name ON public.t USING btree (name);

            """
        let (sink, _) = try read(script)
        XCTAssertEqual(try XCTUnwrap(sink.table("public.t")).schema.primaryKey, [], "declared after the data")
        XCTAssertEqual(try XCTUnwrap(sink.table("public.inline")).schema.primaryKey, ["id"], "declared before the data")
        XCTAssertEqual(try XCTUnwrap(sink.table("public.i")).rows.count, 2)
        XCTAssertEqual(sink.keysDeclaredAfterData.map(\.table), ["public.t", "public.i"])
        XCTAssertEqual(sink.keysDeclaredAfterData.map(\.key), [["id"], ["a", "b"]])
    }

    /// A partitioned legacy table as pg_dump writes it (each partition a table of its own,
    /// attached before the data; PostgreSQL 15) and as older versions wrote it (`PARTITION OF`),
    /// and an inheritance child that declares only the column it adds: each names the root of its
    /// tree and is typed from it, and so counts as the legacy table.
    func testPartitionsAndInheritanceChildrenNameTheirRoot() throws {
        let script = header + """
            CREATE TABLE public.cancer_transcript_base (
                transcript_id text NOT NULL,
                gene_id text,
                drugs jsonb DEFAULT '{}'::jsonb
            )
            PARTITION BY HASH (gene_id);

            CREATE TABLE public.cancer_transcript_base_p0 (
                transcript_id text NOT NULL,
                gene_id text,
                drugs jsonb DEFAULT '{}'::jsonb
            );

            CREATE TABLE public.cancer_transcript_base_p1 PARTITION OF public.cancer_transcript_base
            FOR VALUES WITH (modulus 2, remainder 1);

            CREATE TABLE public.cancer_transcript_base_extra (
                note text
            )
            INHERITS (public.cancer_transcript_base_p0);

            CREATE TABLE public.cancer_transcript_base_p2 (
                gene_id text,
                transcript_id text NOT NULL,
                drugs jsonb
            );

            CREATE TABLE public.cancer_transcript_base_p3 PARTITION OF public.cancer_transcript_base
            FOR VALUES WITH (modulus 4, remainder 3);

            CREATE TABLE public.cancer_transcript_base_extra2 (
                note text
            )
            INHERITS (public.cancer_transcript_base);

            CREATE TABLE public.other (id integer);

            ALTER TABLE ONLY public.cancer_transcript_base ATTACH PARTITION public.cancer_transcript_base_p0 FOR VALUES WITH (modulus 2, remainder 0);

            COPY public.cancer_transcript_base_p0 (transcript_id, gene_id, drugs) FROM stdin;
            ENST1\tENSG1\t{}
            \\.


            COPY public.cancer_transcript_base_p1 (transcript_id, gene_id, drugs) FROM stdin;
            ENST2\tENSG2\t{}
            \\.


            COPY public.cancer_transcript_base_extra (transcript_id, gene_id, drugs, note) FROM stdin;
            ENST3\tENSG3\t{}\tn
            \\.


            COPY public.other (id) FROM stdin;
            1
            \\.


            ALTER TABLE ONLY public.cancer_transcript_base ATTACH PARTITION public.cancer_transcript_base_p2 FOR VALUES WITH (modulus 3, remainder 2);

            INSERT INTO public.cancer_transcript_base_extra2 VALUES ('ENST4', 'ENSG4', '{}', 'n');
            INSERT INTO public.cancer_transcript_base_p2 VALUES ('ENSG5', 'ENST5', '{}');
            INSERT INTO public.cancer_transcript_base_p3 VALUES ('ENST6', 'ENSG6', '{}');

            """
        let (sink, _) = try read(script)
        XCTAssertEqual(sink.tables.map(\.schema.qualifiedName), [
            "public.cancer_transcript_base_p0", "public.cancer_transcript_base_p1", "public.cancer_transcript_base_extra", "public.other",
            "public.cancer_transcript_base_extra2", "public.cancer_transcript_base_p2", "public.cancer_transcript_base_p3",
        ])
        let root = "cancer_transcript_base"
        XCTAssertEqual(sink.tables.map(\.schema.root), [root, root, root, nil, root, root, root])
        XCTAssertEqual(sink.tables.map { LegacyColumns.isLegacy($0.schema) }, [true, true, true, false, true, true, true])
        XCTAssertEqual(sink.tables[1].schema.columns.map(\.type), ["text", "text", "jsonb"], "a PARTITION OF table typed from its parent")
        XCTAssertEqual(sink.tables[2].schema.columns.map(\.type), ["text", "text", "jsonb", "text"], "a child typed from its parents and itself")
        // INSERT without a column list: the row's order of each table.
        XCTAssertEqual(sink.tables[4].schema.columns.map(\.name), ["transcript_id", "gene_id", "drugs", "note"], "an inheritance child: its parents', then its own")
        XCTAssertEqual(sink.tables[5].schema.columns.map(\.name), ["gene_id", "transcript_id", "drugs"], "a partition in its own order")
        XCTAssertEqual(sink.tables[6].schema.columns.map(\.name), ["transcript_id", "gene_id", "drugs"], "a PARTITION OF table: its parent's")
        XCTAssertEqual(sink.tables[5].rows, [["ENSG5", "ENST5", "{}"]])
    }

    /// Two dumps in one file (`cat a.sql b.sql`, or pg_dumpall's databases) are refused where the
    /// second begins, naming its line and the first data; `pg_dump --create`'s `\\connect` before
    /// any data, and a table's data in several COPY blocks (a hand-made script loading in
    /// batches), are read.
    func testASecondDumpAfterDataIsRefused() throws {
        let body = """
            CREATE TABLE public.t (id integer);

            COPY public.t (id) FROM stdin;
            1
            \\.

            """
        func refusal(_ script: String) -> String {
            guard case let .failure(error) = Result(catching: { try self.read(script) }) else {
                XCTFail("read without an error")
                return ""
            }
            return error.localizedDescription
        }
        let concatenated = header + body + header + body
        let lines = concatenated.split(separator: "\n", omittingEmptySubsequences: false)
        let secondHeader = try XCTUnwrap(lines.indices.filter { lines[$0].hasPrefix("-- Dumped from database version") }.last) + 1
        let firstData = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("COPY") }) + 1
        let second = refusal(concatenated)
        XCTAssertTrue(second.contains("test.sql:\(secondHeader) "), second)
        XCTAssertTrue(second.contains("a second pg_dump header after the data of public.t (line \(firstData))"), second)

        let connect = refusal("\\connect legacy\n" + header + body + "\\connect other\n" + body)
        XCTAssertTrue(connect.contains("not a \\connect to other after the data of public.t"), connect)

        let (created, info) = try read("\\connect legacy\n" + header + body)
        XCTAssertEqual(created.tables.map(\.rows.count), [1])
        XCTAssertEqual(info.database, "legacy")
        // CollectingSink refuses a table twice: count the blocks' rows instead.
        final class Counter: DumpSink {
            var blocks: [Int] = []
            func beginTable(_ table: TableSchema) throws {}
            func row(_ row: RowBuffer) throws {}
            func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws { blocks.append(rows) }
        }
        let counter = Counter()
        try PlainDumpReader(stream: MemoryByteStream(header + body + "COPY public.t (id) FROM stdin;\n2\n3\n\\.\n"), file: "test.sql").read(into: counter)
        XCTAssertEqual(counter.blocks, [1, 2])
    }

    /// A pg_dump script without pg_dump's closing comment was cut short where a statement or COPY
    /// block ended (anywhere else is an error): the info says at which line it ends; a complete
    /// one, or a script without pg_dump's header, says nothing.
    func testAScriptCutAfterABlockSaysWhereItEnds() throws {
        let body = "CREATE TABLE public.t (id integer);\n\nCOPY public.t (id) FROM stdin;\n1\n\\.\n"
        let trailer = "\n--\n-- PostgreSQL database dump complete\n--\n\n"
        let cut = header + body
        XCTAssertEqual(try read(cut).1.endsEarlyAtLine, cut.split(separator: "\n", omittingEmptySubsequences: false).count - 1)
        XCTAssertNil(try read(header + body + trailer).1.endsEarlyAtLine)
        XCTAssertNil(try read(body).1.endsEarlyAtLine, "not pg_dump's")
    }

    func testInsertForms() throws {
        let script = header + """
            CREATE TABLE public.t (id integer, s text, a text[], j jsonb, b boolean, f double precision);
            INSERT INTO public.t VALUES (1, 'it''s', '{x,y}', '{"a": 1}', true, -1.5e3);
            INSERT INTO public.t VALUES (2, E'line\\nnext\\\\', ARRAY['a b', NULL, 'NULL', ''], '[1, 2]'::jsonb, false, 'NaN'::double precision), (3, NULL, ARRAY[]::text[], NULL, NULL, 'Infinity');
            INSERT INTO public.t (id, s, a, j, b, f) VALUES (4, 'multi
            line; with semicolon', '{}', '{}', true, 0);
            INSERT INTO public.u VALUES (1);
            """
        XCTAssertThrowsError(try read(script)) { error in
            XCTAssertTrue("\(error.localizedDescription)".contains("CREATE TABLE for u"), "\(error.localizedDescription)")
        }
        let good = script.replacingOccurrences(of: "INSERT INTO public.u VALUES (1);", with: "")
        let (sink, _) = try read(good)
        XCTAssertEqual(sink.tables.count, 1, "consecutive INSERTs into one table form one table")
        let rows = try XCTUnwrap(sink.table("public.t")).rows
        XCTAssertEqual(rows[0], ["1", "it's", "{x,y}", "{\"a\": 1}", "t", "-1.5e3"])
        XCTAssertEqual(rows[1], ["2", "line\nnext\\", "{\"a b\",NULL,\"NULL\",\"\"}", "[1, 2]", "f", "NaN"])
        XCTAssertEqual(rows[2], ["3", nil, "{}", nil, nil, "Infinity"])
        XCTAssertEqual(rows[3], ["4", "multi\nline; with semicolon", "{}", "{}", "t", "0"])
    }

    func testStringConstantsWithBackslashesAndQuotes() throws {
        // With standard_conforming_strings on, a backslash in '...' is data; in E'...' it escapes,
        // and a quote doubled or escaped is one quote; long runs between them are kept whole.
        let run = String(repeating: "abc;", count: 100)
        let script = header + """
            CREATE TABLE public.t (s text);
            INSERT INTO public.t VALUES ('\\x\\'), ('\(run)''\(run)'), (E'\\' \\\\ \(run)\\t'), (E'\\101\\x42\\u0043');
            SET standard_conforming_strings = off;
            CREATE TABLE public.u (s text);
            INSERT INTO public.u VALUES ('a\\'b\\\\c');
            """
        let sink = try read(script).0
        XCTAssertEqual(try XCTUnwrap(sink.table("public.t")).rows, [["\\x\\"], ["\(run)'\(run)"], ["' \\ \(run)\t"], ["ABC"]])
        XCTAssertEqual(try XCTUnwrap(sink.table("public.u")).rows, [["a'b\\c"]])
    }

    func testNestedArrayConstructors() throws {
        let (sink, _) = try read("INSERT INTO t (a) VALUES (ARRAY[ARRAY[1,2],ARRAY[3,-4]]), (ARRAY[['x','{'],['y',NULL]]);\n")
        XCTAssertEqual(sink.tables[0].rows, [["{{1,2},{3,-4}}"], ["{{x,\"{\"},{y,NULL}}"]])
    }

    func testFunctionBodiesAndCommentsDoNotEndStatements() throws {
        let script = """
            CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $_$ SELECT 'a;b'; $_$;
            /* a block comment; with /* nesting; */ still comment */
            COPY t (x) FROM stdin;
            1
            \\.
            """
        let (sink, _) = try read(script)
        XCTAssertEqual(sink.tables[0].rows, [["1"]])
    }

    func testTruncatedCopyBlockNamesFileTableAndLine() throws {
        let script = "COPY public.t (a, b) FROM stdin;\n1\t2\n3\t4\n"
        XCTAssertThrowsError(try read(script, file: "cut.sql")) { error in
            guard case let .malformedInput(location, expected)? = error as? MediabaseError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.file, "cut.sql")
            XCTAssertEqual(location.table, "public.t")
            XCTAssertEqual(location.line, 4)
            XCTAssertTrue(expected.contains("\\."), expected)
        }
    }

    func testWrongFieldCount() throws {
        let script = "COPY public.t (a, b) FROM stdin;\n1\t2\n3\t4\t5\n\\.\n"
        XCTAssertThrowsError(try read(script)) { error in
            guard case let .malformedInput(location, expected)? = error as? MediabaseError else { return XCTFail("\(error)") }
            XCTAssertEqual(location.line, 3)
            XCTAssertTrue(expected.contains("2 tab-separated fields (a, b), found 3"), expected)
        }
    }

    func testUnterminatedStatement() throws {
        XCTAssertThrowsError(try read("CREATE TABLE t (a text DEFAULT 'oops);\n")) { error in
            XCTAssertTrue(error.localizedDescription.contains("string constant"), error.localizedDescription)
        }
    }

    func testEndMarkerWithDataBeforeItIsRejected() throws {
        XCTAssertThrowsError(try read("COPY t (a) FROM stdin;\n\\.junk\n"))
    }
}
