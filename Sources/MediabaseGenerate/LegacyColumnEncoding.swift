import MediabaseBytes
import MediabaseModel
/// The legacy columns as the generator writes them: SQL definition, how values are encoded, and
/// whether the value belongs to the transcript or is a gene-level value copied into every row of
/// the gene.
extension LegacyColumn {
    /// How a value is written in an INSERT statement: numbers and booleans bare, everything
    /// else quoted.
    enum Kind {
        case text, json, array, number
        /// Stored as `t` or `f` (COPY and CSV), written `true` or `false` in INSERT.
        case boolean
    }

    var kind: Kind {
        switch type {
        case .text: return .text
        case .jsonb: return .json
        case .textArray: return .array
        case .doublePrecision: return .number
        }
    }

    /// The column definition inside `CREATE TABLE`, as pg_dump prints it (defaults of the
    /// MEDIABASE schema, jsonb constants in jsonb's own key order).
    var definition: String {
        switch self {
        case .transcriptId: return "text NOT NULL"
        case .expressionFoldChange: return "double precision DEFAULT 1.0"
        case .expressionFreq: return "jsonb DEFAULT '{\"low\": [], \"high\": []}'::jsonb"
        case .sourceReferences:
            return "jsonb DEFAULT '{\"drugs\": [], \"uniprot\": [], \"go_terms\": [], \"pathways\": [], \"publications\": []}'::jsonb"
        case .features, .altTranscriptIds, .altGeneIds, .pharmgkbPathways, .pharmgkbVariants, .evidenceQualityMetrics:
            return "jsonb DEFAULT '{}'::jsonb"
        default:
            switch kind {
            case .text: return "text"
            case .json: return "jsonb"
            case .array: return name == "pathways" || name == "product_type" ? "text[]" : "text[] DEFAULT '{}'::text[]"
            case .number: return "double precision"
            case .boolean: return "boolean"
            }
        }
    }

    /// Whether the value describes the transcript; all other columns hold gene-level values
    /// copied into every row of the gene (the redundancy the normalizer removes).
    var isTranscriptLevel: Bool {
        switch self {
        case .transcriptId, .coordinates, .productType, .expressionFoldChange, .altTranscriptIds: return true
        default: return false
        }
    }

    /// `(transcript_id, gene_symbol, ...)`: the column list of COPY and INSERT statements.
    static let columnList = "(" + allCases.map(\.name).joined(separator: ", ") + ")"
}

/// A value of one field before it is encoded for a dump format.
enum FieldValue {
    case null
    case bytes([UInt8])
    /// Text containing one byte that is not valid UTF-8 (the planted row reject). The COPY
    /// form writes it as an octal escape, the INSERT form as an `E''` escape, CSV raw.
    case invalidUTF8(prefix: [UInt8], byte: UInt8, suffix: [UInt8])

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// One-dimensional `text[]` literals as PostgreSQL's `array_out` writes them.
enum TextArrayLiteral {
    /// `{a,"b c",NULL}`: nil elements are NULL, the others quoted when they need it.
    static func make(_ elements: [String?]) -> [UInt8] {
        make(bytes: elements.map { $0.map { Array($0.utf8) } })
    }

    static func make(bytes elements: [[UInt8]?]) -> [UInt8] {
        var out: [UInt8] = [0x7B]
        for (position, element) in elements.enumerated() {
            if position > 0 { out.append(0x2C) }
            if let element {
                ArrayLiteral.appendQuotedElement(element, to: &out)
            } else {
                out.append(literal: "NULL")
            }
        }
        out.append(0x7D)
        return out
    }
}
