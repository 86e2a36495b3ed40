import MediabaseBytes
import MediabaseModel

/// `GET /api/v1/patients/compare?patient_ids=A,B,...`: per transcript, each patient's fold
/// change (1.0 where none is stored), ordered by transcript id (docs/spec.md §10).
///
/// Any number of patients: each file is read through its own connection and the rows merged
/// here (SQLite attaches at most 10 databases to a connection). The rows are the transcripts at
/// least one patient stores, or the named ones; a row passes the bounds when any patient's value
/// is within them.
/// * Named transcripts: each patient's value is looked up per name.
/// * Bounds that exclude 1.0: only stored values can pass, so the patients' in-bound rows are
///   merged in id order, read lazily until the page is full; the page's values are then
///   looked up in every patient.
/// * Otherwise: the patients' stored rows are merged in id order (each file's primary key).
struct PatientComparison {
    let worker: Worker
    let filter: TranscriptFilter
    let ids: [PatientId]
    let patients: [PatientConnection]

    func write(to json: inout JSONWriter) throws {
        let page: [(CachedTranscript, [Double])]
        if filter.namesTranscripts {
            page = try namedPage()
        } else if filter.admits(1.0) {
            page = try mergedPage(patients.map { $0.storedById() }, bounded: false)
        } else {
            page = try boundedPage()
        }
        json.object { json in
            json.key("patients")
            json.array { json in ids.forEach { json.string($0.value) } }
            json.key("transcripts")
            json.array { json in
                for (row, values) in page {
                    json.object { json in
                        json.field("transcript_id", row.row.transcriptId)
                        json.field("gene_symbol", row.row.geneSymbol)
                        json.field("gene_id", row.row.geneId)
                        json.key("fold_changes")
                        json.object { json in
                            for (id, value) in zip(ids, values) { json.field(id.value, value) }
                        }
                    }
                }
            }
        }
    }

    private func values(of transcriptId: String) throws -> [Double] {
        try patients.map { try $0.storedValue(transcriptId) ?? 1.0 }
    }

    /// Pages through ids in order: a row counts if the core has it and `values` passes.
    private func page(_ ids: some Sequence<String>) throws -> [(CachedTranscript, [Double])] {
        var page: [(CachedTranscript, [Double])] = []
        var skip = filter.offset
        for id in ids {
            let values = try values(of: id)
            guard values.contains(where: filter.admits), let row = try worker.core.transcript(id) else { continue }
            if skip > 0 {
                skip -= 1
                continue
            }
            page.append((row, values))
            if page.count == filter.limit { break }
        }
        return page
    }

    private func namedPage() throws -> [(CachedTranscript, [Double])] {
        try page(namedTranscriptIds(worker: worker, filter: filter))
    }

    private func boundedPage() throws -> [(CachedTranscript, [Double])] {
        guard filter.minimum <= filter.maximum else { return [] }
        return try mergedPage(patients.map { try $0.storedById(from: filter.minimum, to: filter.maximum) }, bounded: true)
    }

    /// A k-way merge of the cursors by id. Unbounded, the cursors hold every stored row and
    /// give the values; bounded, a row in any cursor passes and its values are looked up.
    private func mergedPage(_ cursors: [StoredCursor], bounded: Bool) throws -> [(CachedTranscript, [Double])] {
        defer { cursors.forEach { $0.reset() } }
        for cursor in cursors { try cursor.advance() }
        var page: [(CachedTranscript, [Double])] = []
        var skip = filter.offset
        while page.count < filter.limit {
            var smallest: String?
            for cursor in cursors {
                if let id = cursor.current?.id, smallest.map({ id.precedesInBytes($0) }) ?? true { smallest = id }
            }
            guard let id = smallest else { break }
            var values: [Double] = []
            for cursor in cursors {
                if let current = cursor.current, current.id == id {
                    values.append(current.value)
                    try cursor.advance()
                } else {
                    values.append(1.0)
                }
            }
            guard bounded || values.contains(where: filter.admits), let row = try worker.core.transcript(id) else { continue }
            if skip > 0 {
                skip -= 1
                continue
            }
            page.append((row, bounded ? try self.values(of: id) : values))
        }
        return page
    }
}
