/// Replacements of byte ranges of the source text, applied when the output is rendered.
///
/// A replacement's text can quote stretches of the source (``Piece/source(_:_:)``), which are
/// rendered with the edits inside them applied: `x::int` becomes `CAST(<x, rewritten> AS
/// INTEGER)` without the cast needing to know what happened to `x`. Edits nested inside another
/// edit's range are used only through such quotes.
struct TextEdit {
    enum Piece {
        case text(String)
        /// The source bytes `start ..< end`, with the edits inside applied.
        case source(Int, Int)
        /// The name given to a replacement table of a legacy occurrence.
        case alias(Int, AliasRole)
    }

    let start: Int
    let end: Int
    let pieces: [Piece]
}

/// The three tables that replace one occurrence of the legacy table.
enum AliasRole: CaseIterable {
    case transcripts, expression, genes

    /// The alias the second guide uses; a number is added when the query uses it already.
    var base: String {
        switch self {
        case .transcripts: return "t"
        case .expression: return "pe"
        case .genes: return "g"
        }
    }
}

struct TextEdits {
    private(set) var edits: [TextEdit] = []

    mutating func replace(_ start: Int, _ end: Int, with pieces: [TextEdit.Piece]) {
        edits.append(TextEdit(start: start, end: end, pieces: pieces))
    }

    /// The source with the edits applied. `alias` names the replacement tables.
    func render(_ source: [UInt8], alias: (Int, AliasRole) -> String) -> String {
        let sorted = edits.enumerated().sorted {
            ($0.element.start, -$0.element.end, $0.offset) < ($1.element.start, -$1.element.end, $1.offset)
        }.map(\.element)
        var output: [UInt8] = []
        output.reserveCapacity(source.count + 256)
        render(source, 0, source.count, sorted, alias, nested: false, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private func render(_ source: [UInt8], _ start: Int, _ end: Int, _ sorted: [TextEdit], _ alias: (Int, AliasRole) -> String,
                        nested: Bool, into output: inout [UInt8]) {
        var cursor = start
        for edit in sorted where edit.start >= start && edit.end <= end {
            // An insertion just after a quoted stretch (an alias after a select item) belongs to
            // the enclosing text, after the replacement that quotes the stretch.
            if edit.start < cursor || (nested && edit.start == edit.end && edit.start == end) { continue }
            output += source[cursor..<edit.start]
            for piece in edit.pieces {
                switch piece {
                case let .text(text): output += Array(text.utf8)
                case let .source(from, to): render(source, from, to, sorted, alias, nested: true, into: &output)
                case let .alias(occurrence, role): output += Array(alias(occurrence, role).utf8)
                }
            }
            cursor = edit.end
        }
        output += source[cursor..<end]
    }
}
