import MediabaseModel
/// The text around the table data of a generated pg_dump plain script.
///
/// It reproduces what pg_dump 17.6 writes with `--no-owner` for a PostgreSQL 16.10 server
/// (so without `SET transaction_timeout`, which PostgreSQL 15 and 16 reject): the
/// `\restrict` line of 17.6, the fixed SET block, `-- Name: …` comments, pre-data objects
/// ordered by name, the data sections, then constraints and indexes. Compare
/// `_doSetFixedOutputState()` and `_printTocEntry()` in pg_dump's `pg_backup_archiver.c`.
struct DumpScript {
    /// The `\restrict` key: 63 alphanumerics, derived from the seed so dumps stay reproducible.
    let restrictKey: String
    /// Whether the script carries `opentargets_known_drugs` (the core dump) or only
    /// `cancer_transcript_base` (a per-patient dump).
    let includesOpenTargets: Bool

    static let legacyTable = LegacyColumns.tableName

    init(seed: UInt64, includesOpenTargets: Bool) {
        var random = SeededRandom(seed: seed, stream: .dumpKey)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        restrictKey = String((0..<63).map { _ in random.pick(alphabet) })
        self.includesOpenTargets = includesOpenTargets
    }

    private func entry(_ name: String, _ type: String) -> String {
        "--\n-- Name: \(name); Type: \(type); Schema: public; Owner: -\n--\n\n"
    }

    private func dataEntry(_ table: String) -> String {
        "--\n-- Data for Name: \(table); Type: TABLE DATA; Schema: public; Owner: -\n--\n\n"
    }

    /// Everything before the first data row of the legacy table: the preamble, the DDL, and
    /// the COPY line (plain) or the data comment (inserts).
    func header(_ format: LegacyDumpFormat) -> String {
        var text = """
            --
            -- PostgreSQL database dump
            --

            \\restrict \(restrictKey)

            -- Dumped from database version 16.10
            -- Dumped by pg_dump version 17.6

            SET statement_timeout = 0;
            SET lock_timeout = 0;
            SET idle_in_transaction_session_timeout = 0;
            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;
            SELECT pg_catalog.set_config('search_path', '', false);
            SET check_function_bodies = false;
            SET xmloption = content;
            SET client_min_messages = warning;
            SET row_security = off;

            SET default_tablespace = '';

            SET default_table_access_method = heap;


            """
        text += entry(Self.legacyTable, "TABLE")
        text += "CREATE TABLE public.\(Self.legacyTable) (\n"
        text += LegacyColumn.allCases.map { "    \($0.name) \($0.definition)" }.joined(separator: ",\n")
        text += "\n);\n\n\n"
        if includesOpenTargets {
            let table = OpenTargetsTable.name
            text += entry(table, "TABLE")
            text += "CREATE TABLE public.\(table) (\n"
            text += OpenTargetsTable.columns.map { "    \($0.name) \($0.definition)" }.joined(separator: ",\n")
            text += "\n);\n\n\n"
            text += entry("\(table)_id_seq", "SEQUENCE")
            text += """
                CREATE SEQUENCE public.\(table)_id_seq
                    AS integer
                    START WITH 1
                    INCREMENT BY 1
                    NO MINVALUE
                    NO MAXVALUE
                    CACHE 1;



                """
            text += entry("\(table)_id_seq", "SEQUENCE OWNED BY")
            text += "ALTER SEQUENCE public.\(table)_id_seq OWNED BY public.\(table).id;\n\n\n"
            text += entry("\(table) id", "DEFAULT")
            text += "ALTER TABLE ONLY public.\(table) ALTER COLUMN id SET DEFAULT nextval('public.\(table)_id_seq'::regclass);\n\n\n"
        }
        text += dataEntry(Self.legacyTable)
        if format == .plain { text += "COPY public.\(Self.legacyTable) \(LegacyColumn.columnList) FROM stdin;\n" }
        return text
    }

    /// The start of an INSERT statement for one legacy row, up to the opening parenthesis.
    static let insertPrefix = Array("INSERT INTO public.\(legacyTable) \(LegacyColumn.columnList) VALUES (".utf8)

    /// Everything after the last legacy row: the end of the data, the `opentargets_known_drugs`
    /// rows, constraints and indexes.
    func footer(_ format: LegacyDumpFormat, openTargets: OpenTargetsTable?) -> String {
        var text = format == .plain ? "\\.\n\n\n" : "\n\n"
        if includesOpenTargets, let openTargets {
            let table = OpenTargetsTable.name
            text += dataEntry(table)
            if format == .plain { text += "COPY public.\(table) \(OpenTargetsTable.columnList) FROM stdin;\n" }
            text += String(decoding: openTargets.data(format), as: UTF8.self)
            text += format == .plain ? "\\.\n\n\n" : "\n\n"
            text += entry("\(table)_id_seq", "SEQUENCE SET")
            let isCalled = openTargets.rows.isEmpty ? "false" : "true"
            text += "SELECT pg_catalog.setval('public.\(table)_id_seq', \(max(1, openTargets.rows.count)), \(isCalled));\n\n\n"
        }
        text += entry("\(Self.legacyTable) \(Self.legacyTable)_pkey", "CONSTRAINT")
        text += "ALTER TABLE ONLY public.\(Self.legacyTable)\n    ADD CONSTRAINT \(Self.legacyTable)_pkey PRIMARY KEY (transcript_id);\n\n\n"
        if includesOpenTargets {
            let table = OpenTargetsTable.name
            text += entry("\(table) \(table)_pkey", "CONSTRAINT")
            text += "ALTER TABLE ONLY public.\(table)\n    ADD CONSTRAINT \(table)_pkey PRIMARY KEY (id);\n\n\n"
        }
        var indexes = [
            ("idx_drugs", "\(Self.legacyTable) USING gin (drugs)"),
            ("idx_gene_id", "\(Self.legacyTable) USING btree (gene_id)"),
            ("idx_gene_symbol", "\(Self.legacyTable) USING btree (gene_symbol)"),
            ("idx_pathways", "\(Self.legacyTable) USING gin (pathways)"),
        ]
        if includesOpenTargets { indexes.append(("idx_okd_target_gene_id", "\(OpenTargetsTable.name) USING btree (target_gene_id)")) }
        for (name, definition) in indexes.sorted(by: { $0.0 < $1.0 }) {
            text += entry(name, "INDEX")
            text += "CREATE INDEX \(name) ON public.\(definition);\n\n\n"
        }
        text += "--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict \(restrictKey)\n\n"
        return text
    }
}
