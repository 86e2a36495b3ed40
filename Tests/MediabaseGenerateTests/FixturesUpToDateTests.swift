import Foundation
import XCTest
@testable import MediabaseGenerate
import MediabaseTestSupport

/// The datasets committed under `fixtures/generated/` are what the generator makes today from
/// the options recorded in their `expected.json`. When this fails after an intended change,
/// run `make fixtures` (or `fixtures/make-fixtures.sh BIN`) and commit the result.
final class FixturesUpToDateTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: Repository.path("fixtures/generated"))

    func testCommittedFixturesAreCurrent() throws {
        let folders = try FileManager.default.contentsOfDirectory(at: Self.fixtures, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
        XCTAssertFalse(folders.isEmpty, "no fixtures under \(Self.fixtures.path)")
        var total = 0
        for folder in folders {
            let committed = try GeneratedData.contents(of: folder)
            total += committed.values.reduce(0) { $0 + $1.count }
            let recorded = try JSONDecoder().decode(DatasetFacts.self, from: XCTUnwrap(committed[DatasetGenerator.factsFileName]))
            let options = GenerateOptions(seed: recorded.seed, genes: recorded.genesRequested, patients: recorded.patients.count,
                                          formats: recorded.formats.compactMap(LegacyDumpFormat.init(rawValue:)), threads: 2,
                                          clean: recorded.clean, patientRows: recorded.patientRows,
                                          patientDialects: try recorded.patientDialects.map {
                                              try $0.map { try XCTUnwrap(PatientDialect(rawValue: $0)) }
                                          } ?? PatientDialect.allCases)
            let (regenerated, _) = try GeneratedData.generate(options, name: "fixture-\(folder.lastPathComponent)")
            defer { try? FileManager.default.removeItem(at: regenerated.deletingLastPathComponent()) }
            let fresh = try GeneratedData.contents(of: regenerated)
            XCTAssertEqual(Set(fresh.keys), Set(committed.keys), "\(folder.lastPathComponent): files differ; run make fixtures")
            for (name, bytes) in fresh where committed[name] != bytes {
                XCTFail("\(folder.lastPathComponent)/\(name) is out of date; run make fixtures")
            }
        }
        XCTAssertLessThan(total, 1_000_000, "committed generated fixtures must stay under 1 MB")
    }
}
