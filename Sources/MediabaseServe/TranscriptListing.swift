/// `GET /api/v1/transcripts`: one page of transcripts, fold change descending then transcript
/// id ascending (docs/spec.md §10).
///
/// A patient stores a few thousand of the core's transcripts; the others are at 1.0. So the
/// order is three segments, each read in order and never sorted whole:
/// 1. stored values > 1, from the fold-change index, descending;
/// 2. when 1.0 is within the bounds, the transcripts the patient does not store, by id (the
///    core's primary key), skipping the stored ones;
/// 3. stored values < 1, descending.
/// Bounds that exclude 1.0 leave only the stored rows of segment 1 or 3. When transcripts are
/// named (`gene_symbols`, `transcript_ids`) the candidates are few: they are read, filtered and
/// sorted in memory.
struct TranscriptListing {
    let worker: Worker
    let filter: TranscriptFilter
    /// The patient's values, or the core's own without a patient.
    let source: any FoldChangeSource

    func write(to json: inout JSONWriter) throws {
        let page = filter.namesTranscripts ? try namedPage() : try segmentedPage()
        try json.array { json in
            for (row, value) in page { try worker.core.writeTranscript(row, value: value, to: &json) }
        }
    }

    private func passesGeneFilters(_ transcript: CachedTranscript) -> Bool {
        (filter.hasDrugs.map { $0 == transcript.row.hasDrugs } ?? true) && (filter.hasPathways.map { $0 == transcript.row.hasPathways } ?? true)
    }

    private func segmentedPage() throws -> [(CachedTranscript, Double)] {
        var page: [(CachedTranscript, Double)] = []
        var skip = filter.offset
        let limit = filter.limit
        /// Takes a row in order; false once the page is full.
        func take(_ row: CachedTranscript, _ value: Double) -> Bool {
            if skip > 0 {
                skip -= 1
                return true
            }
            page.append((row, value))
            return page.count < limit
        }
        /// A stored row counts only if the core has it and it passes the gene filters.
        func takeStored(_ id: String, _ value: Double) throws -> Bool {
            guard let row = try worker.core.transcript(id), passesGeneFilters(row) else { return true }
            return take(row, value)
        }
        let (low, high) = (filter.minimum, filter.maximum)
        guard low <= high else { return [] }
        if high > 1 {
            try source.forEachStored(from: max(low, 1.0.nextUp), to: high, takeStored)
        }
        if page.count < limit, low <= 1, high >= 1 {
            try worker.core.forEachTranscriptId(hasDrugs: filter.hasDrugs, hasPathways: filter.hasPathways) { id in
                guard try source.storedValue(id) == nil else { return true }
                if skip > 0 {
                    skip -= 1
                    return true
                }
                guard let row = try worker.core.transcript(id) else { return true }
                return take(row, 1.0)
            }
        }
        if page.count < limit, low < 1 {
            try source.forEachStored(from: low, to: min(high, 1.0.nextDown), takeStored)
        }
        return page
    }

    private func namedPage() throws -> [(CachedTranscript, Double)] {
        var rows: [(CachedTranscript, Double)] = []
        for id in try namedTranscriptIds(worker: worker, filter: filter) {
            guard let row = try worker.core.transcript(id), passesGeneFilters(row) else { continue }
            let value = try source.storedValue(id) ?? 1.0
            if filter.admits(value) { rows.append((row, value)) }
        }
        rows.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.row.transcriptId.precedesInBytes($1.0.row.transcriptId) }
        return Array(rows.dropFirst(filter.offset).prefix(filter.limit))
    }
}

/// The distinct transcript ids `gene_symbols` and `transcript_ids` name, sorted by id: those of
/// the symbols' genes, those listed, or — both given — those in both (the upstream server ANDs
/// its conditions).
func namedTranscriptIds(worker: Worker, filter: TranscriptFilter) throws -> [String] {
    var ofSymbols: Set<String>?
    if let symbols = filter.geneSymbols {
        var ids = Set<String>()
        for symbol in Set(symbols) { ids.formUnion(try worker.core.transcriptIds(ofSymbol: symbol)) }
        ofSymbols = ids
    }
    var named = filter.transcriptIds.map(Set.init) ?? ofSymbols ?? []
    if let ofSymbols, filter.transcriptIds != nil { named.formIntersection(ofSymbols) }
    return named.sorted { $0.precedesInBytes($1) }
}
