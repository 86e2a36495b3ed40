import Foundation
import MediabaseModel

/// `--memory-limit` for `patients` (docs/spec.md §2; docs/decisions.md, "patients --memory-limit"):
/// what of a run grows with the core stays in memory when the limit holds it, and goes to
/// temporary files otherwise. Two parts grow with the core's transcripts: the
/// ``CoreTranscriptIndex`` (shared by every patient) and each patient's slots (one per core
/// transcript, one patient per thread). The index stays in memory when it fits, both while it is
/// built and beside the slots afterwards; failing that, it is read from a
/// ``CoreTranscriptFile``, and the slots stay in memory when they alone fit; failing that, they
/// go to a temporary file as well. Either way the outputs are the same bytes.
package struct PatientMemory: Sendable, Equatable {
    /// What a run holds whatever the core: the program, a patient file's reader and its SQLite
    /// or gzip writer per thread. Measured (docs/benchmarks.md): 34 MB for eight small patients
    /// on two threads, 54 MB for two patients of 345,855 and 137,049 rows with the core and
    /// the slots in files.
    package static let fixedBytes: Int64 = 55_000_000
    /// The index's peak while it is built, per core transcript (the rows as loaded, the
    /// dictionaries by gene and by symbol, the id tables). Measured: 209 MB peak for a core of
    /// 691,711 transcripts and a one-row patient, 250 bytes a transcript above the fixed part.
    package static let indexBuildBytesPerTranscript: Int64 = 260
    /// The index once built, per core transcript, counted from its arrays: the id (16 bytes),
    /// its entry in the id table (32-byte slots, up to 3 per id), its share of the gene and
    /// symbol tables and spans, and its members (4 bytes, about 3 times).
    package static let indexBytesPerTranscript: Int64 = 160
    /// A patient's slot (24 bytes) and, at worst, the id of the row that gave it its value.
    package static let slotBytesPerTranscript: Int64 = 48

    package let limit: Int64
    /// Whether the core's index is kept in memory (else in a ``CoreTranscriptFile``).
    package let coreInMemory: Bool
    /// Whether each patient's slots are kept in memory (else in a temporary file).
    package let slotsInMemory: Bool
    /// The page cache of each connection to a temporary file: what the limit leaves above the
    /// fixed part, shared by the patients at work, between 256 KB and 8 MB.
    package let cacheKilobytes: Int

    /// - Parameters:
    ///   - transcripts: the core's transcripts.
    ///   - patientsAtOnce: patients processed at the same time (threads, at most one per patient).
    package init(limit: Int64, transcripts: Int, patientsAtOnce: Int) {
        self.limit = limit
        let room = limit - Self.fixedBytes
        let slots = Int64(max(patientsAtOnce, 1)) * Self.slotBytesPerTranscript * Int64(transcripts)
        coreInMemory = max(Self.indexBuildBytesPerTranscript * Int64(transcripts), Self.indexBytesPerTranscript * Int64(transcripts) + slots) <= room
        slotsInMemory = coreInMemory || slots <= room
        // Two connections per patient (the core's file and the slots'), each with its cache.
        let share = max(room, 0) / Int64(2 * max(patientsAtOnce, 1)) / 1024
        cacheKilobytes = Int(min(max(share / 4, 256), 8192))
    }
}
