import Foundation
import MediabaseTestSupport
import XCTest

/// A test case with a private PostgreSQL cluster for the whole class (started in the class
/// set-up, stopped in its tear-down) and a fresh scratch folder for each test.
class PostgresBundleTestCase: XCTestCase {
    /// One cluster per test class; a failed start is kept so every test reports it.
    private static var clusters: [ObjectIdentifier: Result<PostgresCluster, Error>] = [:]

    var postgres: PostgresCluster!
    var folder = ""

    /// The repository root.
    static let repositoryRoot = Repository.root

    override class func setUp() {
        super.setUp()
        clusters[ObjectIdentifier(self)] = Result { try PostgresCluster.start() }
    }

    override class func tearDown() {
        if case let .success(postgres)? = clusters.removeValue(forKey: ObjectIdentifier(self)) { postgres.stop() }
        super.tearDown()
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        postgres = try Self.clusters[ObjectIdentifier(type(of: self))]!.get()
        folder = try Repository.scratchFolder("e2e")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
        try super.tearDownWithError()
    }
}
