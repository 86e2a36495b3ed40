import MediabaseBytes
import MediabaseModel
/// What the checks of one table's rows found so far: bad values and, for the legacy table, its
/// figures. A COPY block checked in parts on several threads gives one tally per part; adding
/// them up in row order (``absorb(_:lineOffset:)``) gives the tally of reading it in one go.
struct TableTally {
    let tableName: String
    let columnNames: [String]
    private(set) var badValues = 0
    /// The first bad values, at most ``maxExamples``.
    private(set) var examples: [InspectionReport.BadValue] = []
    var legacy: LegacyTally?

    static let maxExamples = 20

    /// `isPart`: the tally of a part of the table's rows, to be added to the whole's.
    init(table: TableSchema, isPart: Bool = false) {
        tableName = table.qualifiedName
        columnNames = table.columns.map(\.name)
        legacy = LegacyColumns.isLegacy(table) ? LegacyTally(table: table, isPart: isPart) : nil
    }

    /// Counts what a valid value of `column` found.
    @inline(__always) mutating func count(_ facts: ValueFacts, column: Int) {
        guard !facts.isEmpty else { return }
        legacy?.count(facts, column: column)
    }

    mutating func badValue(column: Int, line: Int, byteOffset: Int64, offset: Int, expected: String) {
        badValues += 1
        guard examples.count < Self.maxExamples else { return }
        examples.append(InspectionReport.BadValue(
            table: tableName, column: columnNames.indices.contains(column) ? columnNames[column] : "#\(column + 1)",
            line: line, byteOffset: byteOffset, expected: expected + " (at byte \(offset) of the value)"))
    }

    /// Adds the tally of the rows that follow the ones counted here; the lines of `next` are
    /// numbered from `lineOffset + 1`.
    mutating func absorb(_ next: TableTally, lineOffset: Int) {
        badValues += next.badValues
        for var example in next.examples.prefix(Self.maxExamples - examples.count) {
            example.line += lineOffset
            examples.append(example)
        }
        if let part = next.legacy { legacy?.absorb(part) }
    }
}

/// Counters for the legacy table; genes and transcripts are remembered as 64-bit hashes.
///
/// The tally of a part of the table (``TableTally/absorb(_:lineOffset:)``) lists the ids it sees
/// instead of collecting them in sets: the part is added to the whole table's tally soon, and
/// hashing each id into two sets would cost twice.
struct LegacyTally {
    private static let jsonTypes: [JSONValueType] = [.object, .array, .string, .number, .bool, .null]

    let columnNames: [String]
    let transcriptIndex: Int?
    let geneIndex: Int?
    let symbolIndex: Int?
    private let isPart: Bool
    private var genes = FlatHashTable()
    /// The symbol of the first row of each gene, when it had one.
    private var firstSymbols: [Int: String] = [:]
    private var transcripts = FlatHashTable()
    /// In a part: transcripts in row order, and genes with the symbol of their row, in row order
    /// (a gene may be listed more than once; its first listing counts).
    private var listedTranscripts: [Int] = []
    private var listedGenes: [(gene: Int, symbol: Range<Int>?)] = []
    /// The listed genes' symbols, trimmed, one after the other: made into strings only for the
    /// genes the whole table's tally has not seen (most rows of a part are not a gene's first).
    private var listedSymbols: [UInt8] = []
    /// Whether the last row counted had no gene id, or a versioned one.
    private var lastGene = (missing: false, versioned: false)
    /// Values per column and JSON type (``jsonTypes`` order) of a type the column should not hold.
    private var unexpectedTypes: [Int]
    private var tally = InspectionReport.Legacy()

    init(table: TableSchema, isPart: Bool = false) {
        columnNames = table.columns.map(\.name)
        transcriptIndex = table.columnIndex("transcript_id")
        geneIndex = table.columnIndex("gene_id")
        symbolIndex = table.columnIndex("gene_symbol")
        self.isPart = isPart
        unexpectedTypes = Array(repeating: 0, count: columnNames.count * Self.jsonTypes.count)
        tally.missingColumns = LegacyColumns.all.map(\.name).filter { !columnNames.contains($0) }
        tally.unknownColumns = columnNames.filter { !LegacyColumns.names.contains($0) }
    }

    mutating func count(_ facts: ValueFacts, column: Int) {
        if let type = facts.unexpectedType {
            unexpectedTypes[column * Self.jsonTypes.count + Self.jsonTypes.firstIndex(of: type)!] += 1
            if facts.twiceEncoded { tally.twiceEncodedDrugs += 1 }
        }
        if facts.pharmgkb { tally.rowsWithPharmgkbInDrugs += 1 }
    }

    /// Counts a row's ids, given decoded (nil for NULL or no such column). With `sameGene`, the
    /// row's gene id has the same bytes as the last row counted, so it counts as that one did and
    /// its gene is not looked up again (`gene` and `symbol` are not looked at).
    mutating func countIds(sameGene: Bool = false, transcript: Span<UInt8>?, gene: Span<UInt8>?, symbol: Span<UInt8>?) {
        if let transcript, case let id = Identifiers.trimmed(transcript), !id.isEmpty {
            let (keyCount, versioned) = Identifiers.ensemblVersion(id)
            if versioned { tally.versionedTranscriptIds += 1 }
            let transcript = Self.hash(id.extracting(0..<keyCount))
            if isPart { listedTranscripts.append(transcript) } else { transcripts.insert(Self.key(transcript)) }
        } else {
            tally.rowsMissingTranscriptId += 1
        }
        if !sameGene {
            if let gene, case let id = Identifiers.trimmed(gene), !id.isEmpty {
                let (keyCount, versioned) = Identifiers.ensemblVersion(id)
                lastGene = (false, versioned)
                countGene(Self.hash(id.extracting(0..<keyCount)), symbol: symbol)
            } else {
                lastGene = (true, false)
            }
        }
        if lastGene.missing { tally.rowsMissingGeneId += 1 }
        if lastGene.versioned { tally.versionedGeneIds += 1 }
    }

    /// An id's hash (``hash(_:)``) as a key of the flat tables.
    private static func key(_ id: Int) -> ContentHash { ContentHash(low: UInt64(bitPattern: Int64(id)), high: 0) }

    private mutating func countGene(_ gene: Int, symbol field: Span<UInt8>?) {
        func symbol() -> String? {
            guard let field else { return nil }
            let symbol = Identifiers.trimmedText(field)
            return symbol.isEmpty ? nil : symbol
        }
        if isPart {
            guard listedGenes.last?.gene != gene else { return }
            var symbol: Range<Int>?
            if let field {
                let trimmed = Identifiers.trimmed(field)
                if !trimmed.isEmpty {
                    let start = listedSymbols.count
                    listedSymbols.append(trimmed)
                    symbol = start..<listedSymbols.count
                }
            }
            listedGenes.append((gene, symbol))
        } else if genes.insert(Self.key(gene)), let symbol = symbol() {
            firstSymbols[gene] = symbol
        }
    }

    /// Adds the counts of a part, whose rows follow the ones counted here. A gene keeps the symbol
    /// of its first row, so a gene seen here keeps this tally's.
    mutating func absorb(_ next: LegacyTally) {
        precondition(next.isPart && !isPart, "a part is added to a whole")
        for (gene, symbol) in next.listedGenes where genes.insert(Self.key(gene)) {
            if let symbol { firstSymbols[gene] = String(utf8: next.listedSymbols.span.extracting(symbol)) }
        }
        for transcript in next.listedTranscripts { transcripts.insert(Self.key(transcript)) }
        for index in unexpectedTypes.indices { unexpectedTypes[index] += next.unexpectedTypes[index] }
        tally.rowsWithPharmgkbInDrugs += next.tally.rowsWithPharmgkbInDrugs
        tally.versionedTranscriptIds += next.tally.versionedTranscriptIds
        tally.versionedGeneIds += next.tally.versionedGeneIds
        tally.rowsMissingGeneId += next.tally.rowsMissingGeneId
        tally.rowsMissingTranscriptId += next.tally.rowsMissingTranscriptId
        tally.twiceEncodedDrugs += next.tally.twiceEncodedDrugs
    }

    func report(rows: Int) -> InspectionReport.Legacy {
        var result = tally
        result.rows = rows
        result.distinctGenes = genes.count
        result.distinctTranscripts = transcripts.count
        result.redundancyRatio = genes.isEmpty ? 0 : (Double(rows) / Double(genes.count) * 1000).rounded() / 1000
        var genesPerSymbol: [String: Int] = [:]
        for symbol in firstSymbols.values { genesPerSymbol[symbol, default: 0] += 1 }
        result.symbolsOnSeveralGenes = genesPerSymbol.filter { $0.value > 1 }
        for (index, count) in unexpectedTypes.enumerated() where count > 0 {
            let column = columnNames[index / Self.jsonTypes.count]
            result.unexpectedJSONTypes[column, default: [:]][Self.jsonTypes[index % Self.jsonTypes.count].rawValue, default: 0] += count
        }
        return result
    }

    /// A 64-bit hash of an id (``ByteHash``: cheaper than `Hasher` for the one or two ids of
    /// every row).
    @inline(__always) static func hash(_ bytes: Span<UInt8>) -> Int {
        Int(truncatingIfNeeded: ByteHash.hash128(bytes).low)
    }
}
