import MediabaseBytes
/// A column of a table as the dump declares it.
package struct ColumnInfo: Sendable, Equatable {
    /// Column name, unquoted.
    package var name: String
    /// Declared type as written in `CREATE TABLE` (e.g. `text[]`, `character varying(10)`,
    /// `jsonb`), nil when the dump carries no definition for the table.
    package var type: String?

    package init(name: String, type: String? = nil) {
        self.name = name
        self.type = type
    }
}

/// A table whose rows are about to be streamed: its name and the columns of the data, in the
/// order the fields appear in each row.
package struct TableSchema: Sendable, Equatable {
    /// Schema name (`public`), nil when unqualified.
    package var schema: String?
    /// Table name, unquoted.
    package var name: String
    /// Columns in row order.
    package var columns: [ColumnInfo]
    /// Primary-key columns, when the dump declared them before the data.
    package var primaryKey: [String]
    /// The table at the top of the partition or inheritance tree this one is in (unqualified),
    /// when the dump declared one before the data (`ATTACH PARTITION`, `INHERITS`); nil for a
    /// table of its own. A partition's rows are its root's rows.
    package var root: String?

    package init(schema: String? = nil, name: String, columns: [ColumnInfo], primaryKey: [String] = [], root: String? = nil) {
        self.schema = schema
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.root = root
    }

    /// `schema.name`, or just the name when unqualified.
    package var qualifiedName: String { schema.map { "\($0).\(name)" } ?? name }

    /// Index of the column called `name`, matched exactly.
    package func columnIndex(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }
}

/// Receives the tables and rows a reader decodes, in input order.
///
/// The row buffer is reused: its bytes are valid only during ``row(_:)``.
package protocol DumpSink: AnyObject {
    /// Called before the first row of a table's data.
    func beginTable(_ table: TableSchema) throws
    /// Called for every row; `row.count` equals the table's column count.
    func row(_ row: RowBuffer) throws
    /// Called after the last row of a table's data, with the number of rows and bytes read.
    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws
    /// Called when the dump declares the primary key of a table whose data it has already
    /// given: a plain dump's `ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY`, which pg_dump
    /// writes after every table's data (an archive's TOC names it before, in the ``TableSchema``
    /// given to ``beginTable(_:)``). `table` is that table, with `primaryKey` set.
    func primaryKeyDeclared(_ table: TableSchema) throws
}

extension DumpSink {
    /// A sink that keeps no tables has nothing to change: a sink that forwards to another
    /// forwards this too.
    package func primaryKeyDeclared(_ table: TableSchema) throws {}
}
