import Foundation
import Hummingbird
import Logging
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel

/// What `mediabase serve` was asked to serve.
package struct ServeConfiguration: Sendable {
    package var corePath: String
    package var patientsPath: String?
    package var host: String
    package var port: Int
    package var threads: Int
    /// How long the queries of one request may run before they are stopped (503).
    package var timeLimit: Duration

    /// The default ``timeLimit``: far above any page of the API on a full-size core.
    package static let defaultTimeLimit = Duration.seconds(10)

    package init(corePath: String, patientsPath: String?, host: String, port: Int, threads: Int,
                timeLimit: Duration = ServeConfiguration.defaultTimeLimit) {
        self.corePath = corePath
        self.patientsPath = patientsPath
        self.host = host
        self.port = port
        self.threads = threads
        self.timeLimit = timeLimit
    }
}

/// `mediabase serve`: the v0.6 API of docs/spec.md §10 over a SQLite core and a folder of patient files,
/// read-only, on Hummingbird.
///
/// Requests are parsed on the event loops; every SQLite call runs on a thread pool of
/// `threads` workers, each with its own read-only connections and prepared statements
/// (``WorkerPool``). SIGINT and SIGTERM stop it gracefully.
///
///     try await APIServer(ServeConfiguration(corePath: "core.sqlite", patientsPath: "patients",
///                                            host: "127.0.0.1", port: 8000, threads: 2)).run()
package struct APIServer: Sendable {
    let configuration: ServeConfiguration
    let api: API

    /// Opens the core (checking it is one) and a connection per worker; nothing listens yet.
    package init(_ configuration: ServeConfiguration) throws {
        guard FileIdentity.of(configuration.corePath) != nil else {
            throw MediabaseError.io(path: configuration.corePath, message: "no such core file (make one with mediabase convert --to sqlite)")
        }
        var directory: PatientDirectory?
        if let patients = configuration.patientsPath {
            guard FileKind(at: patients) == .directory else {
                throw MediabaseError.io(path: patients, message: "--patients must be a folder of patient_<id>.sqlite files")
            }
            directory = PatientDirectory(path: patients)
        }
        let summary = try CoreSummary(database: SQLiteDatabase(path: configuration.corePath, readOnly: true))
        let fragments = CoreFragments()
        let workers = try (0..<configuration.threads).map { _ in
            try Worker(corePath: configuration.corePath, summary: summary, directory: directory, fragments: fragments,
                       timeLimit: configuration.timeLimit)
        }
        self.configuration = configuration
        api = API(pool: WorkerPool(workers: workers), directory: directory)
    }

    /// Listens until SIGINT or SIGTERM; prints the bound address to stderr once listening.
    package func run() async throws {
        OpenFileLimit.raiseToMaximum()
        var logger = Logger(label: "mediabase-serve")
        logger.logLevel = .warning
        let api = self.api
        let configuration = self.configuration
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await api.respond(to: request) },
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "mediabase"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let patients = configuration.patientsPath.map { ", patients \($0)" } ?? ""
                FileHandle.standardError.write(Data("mediabase serve: listening on http://\(configuration.host):\(port) (core \(configuration.corePath)\(patients), \(configuration.threads) threads)\n".utf8))
            },
            logger: logger
        )
        do {
            try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            try? await api.pool.shutdown()
            throw error
        }
        try await api.pool.shutdown()
    }
}

/// The routes of docs/spec.md §10. Each request is answered with JSON; every failure a client can cause
/// is an ``APIError`` with its status.
final class API: Sendable {
    let pool: WorkerPool
    let directory: PatientDirectory?

    /// Request bodies larger than this are refused with 413.
    static let maximumBodySize = 1 << 20

    init(pool: WorkerPool, directory: PatientDirectory?) {
        self.pool = pool
        self.directory = directory
    }

    func respond(to request: Request) async -> Response {
        let status: Int
        let body: [UInt8]
        do {
            (status, body) = (200, try await answer(request))
        } catch let error as APIError {
            (status, body) = (error.status, error.body)
        } catch let error as HealthFailure {
            (status, body) = (503, error.body)
        } catch let error as ServeFailure {
            (status, body) = (error.apiError.status, error.apiError.body)
        } catch {
            // Not the client's doing (an unreadable core, say): named on stderr as well.
            FileHandle.standardError.write(Data("mediabase serve: \(request.method) \(request.uri): \(error.localizedDescription)\n".utf8))
            let failure = APIError(status: 500, detail: "internal error: \(error.localizedDescription)")
            (status, body) = (failure.status, failure.body)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == 405 { headers[.allow] = "GET" }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func answer(_ request: Request) async throws -> [UInt8] {
        guard request.method == .get else { throw APIError(status: 405, detail: "Method Not Allowed") }
        let bodyBytes = try await Self.collectBody(request)
        guard let path = request.uri.path.removingPercentEncoding else {
            throw APIError.badRequest("malformed percent-escape in the path")
        }
        let query = try QueryParameters(request.uri.query)
        switch path {
        case "/health":
            let connected = try await pool.run { $0.core.isConnected() }
            var json = JSONWriter()
            json.object { json in
                json.field("status", connected ? "healthy" : "unhealthy")
                json.field("version", MediabaseVersion.current)
                json.field("database_connected", connected)
            }
            guard connected else { throw HealthFailure(body: json.bytes) }
            return json.bytes
        case "/openapi.json":
            return Array(OpenAPIDocument.json.utf8)
        case "/api/v1/stats":
            return try await pool.run { worker in
                var json = JSONWriter()
                try worker.summary.stats(worker).writeStats(to: &json)
                return json.bytes
            }
        case "/api/v1/transcripts":
            let filter = try TranscriptFilter(query: query, body: RequestBodyFields(json: bodyBytes))
            let patient = try query.last("patient_id").map { try PatientIdParameter.parse($0, name: "patient_id") }
            return try await pool.run { worker in
                var json = JSONWriter()
                let source: any FoldChangeSource = try patient.map { try worker.patient($0) } ?? worker.summary.baseline(worker)
                try TranscriptListing(worker: worker, filter: filter, source: source).write(to: &json)
                return json.bytes
            }
        case "/api/v1/patients":
            return try await pool.run { worker in
                var json = JSONWriter()
                try PatientList(worker: worker).write(to: &json)
                return json.bytes
            }
        case "/api/v1/patients/compare":
            let filter = try TranscriptFilter(query: query, body: RequestBodyFields(json: bodyBytes))
            let ids = try Self.patientIds(query)
            return try await pool.run { worker in
                var json = JSONWriter()
                let patients = try ids.map { try worker.patient($0) }
                try PatientComparison(worker: worker, filter: filter, ids: ids, patients: patients).write(to: &json)
                return json.bytes
            }
        default:
            let prefix = "/api/v1/transcripts/"
            guard path.hasPrefix(prefix), path.count > prefix.count else { throw APIError.notFound("Not Found") }
            let id = String(path.dropFirst(prefix.count))
            let patient = try query.last("patient_id").map { try PatientIdParameter.parse($0, name: "patient_id") }
            return try await pool.run { worker in
                guard let row = try worker.core.transcript(id) else {
                    throw APIError.notFound("Transcript \(id) not found")
                }
                let source: any FoldChangeSource = try patient.map { try worker.patient($0) } ?? worker.summary.baseline(worker)
                var json = JSONWriter()
                try worker.core.writeTranscript(row, value: try source.storedValue(id) ?? 1.0, to: &json)
                return json.bytes
            }
        }
    }

    /// `patient_ids` of a comparison: at least one, each passing the id rule, none twice (ids
    /// match without regard to case, as their files do).
    private static func patientIds(_ query: QueryParameters) throws -> [PatientId] {
        guard let given = query.list("patient_ids"), !given.isEmpty else {
            throw APIError.badRequest("patient_ids is required: a comma-separated list of patient ids")
        }
        var seen = Set<String>()
        return try given.map { text in
            let id = try PatientIdParameter.parse(text, name: "patient_ids item")
            guard seen.insert(id.lowercased).inserted else {
                throw APIError.badRequest("patient \(id.value) is named twice in patient_ids (ids match without regard to case)")
            }
            return id
        }
    }

    /// The request body, at most ``maximumBodySize`` bytes (413 past it, told by Content-Length
    /// before reading when the client sends one).
    private static func collectBody(_ request: Request) async throws -> [UInt8] {
        let tooLarge = APIError(status: 413, detail: "the request body is larger than \(maximumBodySize) bytes")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBodySize { throw tooLarge }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= maximumBodySize else { throw tooLarge }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }
}

/// `/health` when the core does not answer: 503 with the health object, `database_connected`
/// false.
struct HealthFailure: Error {
    let body: [UInt8]
}
