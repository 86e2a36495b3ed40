import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel

/// The folder of patient files the server answers from, looked up per request so a file added
/// (or replaced) later is served without a restart.
final class PatientDirectory: Sendable {
    let path: String
    /// Invalid files already named on stderr, by name and identity: each is named once, again
    /// only if it changes.
    private let reported = NIOLockedValueBox<[String: FileIdentity?]>([:])

    init(path: String) { self.path = path }

    func filePath(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// The names of the `patient_*.sqlite` files, sorted; other files are not patient files.
    func patientFileNames() throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ServeFailure.patientFolder(path)
        }
        return names.filter { PatientId.idText(ofSQLiteFileName: $0) != nil }.sorted()
    }

    /// Names an invalid patient file on stderr, once per version of the file.
    func reportInvalid(_ name: String, identity: FileIdentity?, reason: String) {
        let isNew = reported.withLockedValue { reported -> Bool in
            if let seen = reported[name], seen == identity { return false }
            reported[name] = .some(identity)
            return true
        }
        guard isNew else { return }
        FileHandle.standardError.write(Data("mediabase serve: \(filePath(name)) is not a valid patient file, left out: \(reason)\n".utf8))
    }
}

/// An error of the server's own files (not of a request); still answered with `{"detail"}`.
enum ServeFailure: Error {
    case patientFolder(String)

    var apiError: APIError {
        switch self {
        case .patientFolder(let path): return APIError(status: 503, detail: "the patient folder \(path) cannot be read")
        }
    }
}

/// One worker's connections: the core and the patient files it has opened, each with its
/// prepared statements. A worker is used by one thread at a time (``WorkerPool``).
final class Worker {
    let core: CoreConnection
    let summary: CoreSummary
    let directory: PatientDirectory?
    private var patients: [String: PatientConnection] = [:]
    /// The connections that hold a read transaction for the job running (``beginJob()``).
    private var reading: [SQLiteDatabase] = []
    /// How long one job's queries may run; past it SQLite stops them.
    let timeLimit: Duration
    private let deadline = JobDeadline()

    /// Open patient files kept per worker; past it the cache starts over (connections a request
    /// holds stay open until it ends).
    static let patientCacheSize = 128

    init(corePath: String, summary: CoreSummary, directory: PatientDirectory?, fragments: CoreFragments, timeLimit: Duration) throws {
        core = try CoreConnection(path: corePath, fragments: fragments)
        self.summary = summary
        self.directory = directory
        self.timeLimit = timeLimit
        limit(core.database)
    }

    /// Puts `database` under the job's time limit: SQLite checks the deadline every thousand
    /// instructions and stops the statement once it has passed.
    private func limit(_ database: SQLiteDatabase) {
        database.interrupt(every: 1000) { [deadline] in deadline.hasPassed }
    }

    /// Runs `body` with the clock of the job's time limit stopped: for what is computed once
    /// for every later request (``CoreSummary``), not for this request alone.
    func withoutTimeLimit<T>(_ body: () throws -> T) rethrows -> T {
        let saved = deadline.suspend()
        defer { deadline.resume(saved) }
        return try body()
    }

    /// Whether the running job has used up its time (its failure is then a timeout).
    var isPastDeadline: Bool { deadline.hasPassed }

    /// Starts a job: one read transaction per connection for the whole job, so SQLite takes
    /// its shared lock and checks the file once per request rather than once per statement
    /// (hundreds for a page of nested transcripts), and the page cache stays valid.
    func beginJob() throws {
        deadline.start(timeLimit)
        try core.database.execute("BEGIN")
        reading = [core.database]
    }

    func endJob() {
        deadline.clear()
        for database in reading { try? database.execute("COMMIT") }
        reading = []
    }

    private func beginReading(_ database: SQLiteDatabase) throws {
        guard !reading.contains(where: { $0 === database }) else { return }
        try database.execute("BEGIN")
        reading.append(database)
    }

    /// The patient's file, opened (or reused) after its id passed the rule; 404 when there is
    /// no such file or it is not a valid patient file.
    func patient(_ id: PatientId) throws -> PatientConnection {
        guard let directory else {
            throw APIError.notFound("Patient \(id.value) not found: the server was started without --patients")
        }
        let name = id.sqliteFileName
        switch try open(name, in: directory) {
        case .valid(let connection, _): return connection
        case .missing: throw APIError.notFound("Patient \(id.value) not found")
        case .invalid(let reason):
            throw APIError.notFound("Patient \(id.value) not found: its file \(name) is not a valid patient file (\(reason))")
        }
    }

    enum Lookup {
        case valid(PatientConnection, metadataPatientId: String)
        case missing
        case invalid(String)
    }

    /// Opens `name` in the folder, checking it is a patient file of the id its name gives.
    func open(_ name: String, in directory: PatientDirectory) throws -> Lookup {
        let path = directory.filePath(name)
        guard let identity = FileIdentity.of(path) else {
            patients[name] = nil
            return .missing
        }
        let connection: PatientConnection
        if let cached = patients[name], cached.identity == identity {
            connection = cached
        } else {
            patients[name] = nil
            do {
                connection = try PatientConnection(path: path, identity: identity)
                limit(connection.database)
            } catch {
                let reason = error.localizedDescription
                directory.reportInvalid(name, identity: identity, reason: reason)
                return .invalid(reason)
            }
        }
        let fileId = PatientId.idText(ofSQLiteFileName: name) ?? ""
        let metadataId: String
        do {
            try beginReading(connection.database)
            guard let row = try connection.metadataRow(), case .text(let text) = row[0].value else {
                throw MediabaseError.notMediabaseOutput("its metadata table has no patient row")
            }
            guard text.lowercased() == fileId else {
                throw MediabaseError.notMediabaseOutput("its metadata names patient \(text), not \(fileId)")
            }
            metadataId = text
        } catch where isPastDeadline {
            throw APIError.timedOut(timeLimit)
        } catch {
            let reason = error.localizedDescription
            directory.reportInvalid(name, identity: identity, reason: reason)
            return .invalid(reason)
        }
        if patients[name] == nil {
            if patients.count >= Self.patientCacheSize { patients.removeAll() }
            patients[name] = connection
        }
        return .valid(connection, metadataPatientId: metadataId)
    }
}

/// A fixed set of workers and a thread pool of as many threads: SQLite's blocking calls run
/// there, never on the event loops. A job checks out a free worker; as many jobs run at once as
/// there are threads, so one is always free.
final class WorkerPool: Sendable {
    private let threads: NIOThreadPool
    private let free: NIOLockedValueBox<[UncheckedWorker]>

    init(workers: [Worker]) {
        threads = NIOThreadPool(numberOfThreads: workers.count)
        threads.start()
        free = NIOLockedValueBox(workers.map { UncheckedWorker(worker: $0) })
    }

    /// Runs `job` on a pool thread with a worker of its own.
    func run<T: Sendable>(_ job: @escaping @Sendable (Worker) throws -> T) async throws -> T {
        try await threads.runIfActive { [free] in
            let worker = free.withLockedValue { $0.removeLast() }
            defer { free.withLockedValue { $0.append(worker) } }
            try worker.worker.beginJob()
            defer { worker.worker.endJob() }
            do {
                return try job(worker.worker)
            } catch let error as APIError {
                throw error
            } catch where worker.worker.isPastDeadline {
                throw APIError.timedOut(worker.worker.timeLimit)
            }
        }
    }

    func shutdown() async throws { try await threads.shutdownGracefully() }
}

/// The end of the running job's time, read by SQLite's progress handler on the worker's thread.
final class JobDeadline {
    private var uptimeNanoseconds = UInt64.max

    func start(_ limit: Duration) {
        let (seconds, attoseconds) = limit.components
        let nanoseconds = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        uptimeNanoseconds = NIODeadline.now().uptimeNanoseconds + nanoseconds
    }

    /// No job runs: nothing is past the deadline.
    func clear() { uptimeNanoseconds = .max }

    /// Stops the clock; ``resume(_:)`` gives the job back the time it had left.
    func suspend() -> (deadline: UInt64, at: UInt64) {
        defer { uptimeNanoseconds = .max }
        return (uptimeNanoseconds, NIODeadline.now().uptimeNanoseconds)
    }

    func resume(_ saved: (deadline: UInt64, at: UInt64)) {
        guard saved.deadline != .max else { return }
        let paused = NIODeadline.now().uptimeNanoseconds - saved.at
        uptimeNanoseconds = saved.deadline + paused
    }

    var hasPassed: Bool { NIODeadline.now().uptimeNanoseconds > uptimeNanoseconds }
}

/// A worker handed between threads: only ever used by the one job that checked it out.
private struct UncheckedWorker: @unchecked Sendable {
    let worker: Worker
}
