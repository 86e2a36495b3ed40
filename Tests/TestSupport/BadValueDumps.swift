import Foundation

/// Plain dumps of the legacy table whose last row holds one bad value of a kind, for the tests
/// that check where a bad value is reported (the converter's reject messages, inspect's list).
package enum BadValueDumps {
    /// The kinds of bad value: a name, the reject reason convert gives, the column inspect
    /// names, and the row.
    package static let kinds: [(name: String, reason: String, column: String, row: [UInt8])] = [
        ("utf8", "invalid_text", "gene_type", Array("ENST00000000002\tENSG00000000002\tB\tprotein".utf8) + [0xFF] + Array("coding\t{}\t{}".utf8)),
        ("array", "field_product_type", "product_type", Array("ENST00000000002\tENSG00000000002\tB\tprotein_coding\t{enzyme,\t{}".utf8)),
        ("json", "field_drugs", "drugs", Array("ENST00000000002\tENSG00000000002\tB\tprotein_coding\t{}\t{\"x\": oops}".utf8)),
    ]

    /// Writes a dump whose last row is `badRow` to `path`; returns that row's line and byte
    /// offset, counted from the bytes written.
    package static func write(to path: String, badRow: [UInt8]) throws -> (line: Int, offset: Int) {
        let head = Array("""
            CREATE TABLE public.cancer_transcript_base (
                transcript_id text NOT NULL,
                gene_id text,
                gene_symbol text,
                gene_type text,
                product_type text[],
                drugs jsonb
            );

            COPY public.cancer_transcript_base (transcript_id, gene_id, gene_symbol, gene_type, product_type, drugs) FROM stdin;
            ENST00000000001\tENSG00000000001\tA\tprotein_coding\t{enzyme}\t{}

            """.utf8)
        try Data(head + badRow + Array("\n\\.\n\n".utf8)).write(to: URL(fileURLWithPath: path))
        return (head.filter { $0 == 0x0A }.count + 1, head.count)
    }
}
