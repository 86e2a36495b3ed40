import XCTest
@testable import MediabasePatients

/// What `patients --memory-limit` keeps in memory for the cores the docs name
/// (docs/commands.md, patients, "Memory limit").
final class PatientMemoryTests: XCTestCase {
    func testTheRealDatabaseStaysInMemoryWithTheDefaultLimit() {
        let memory = PatientMemory(limit: 300_000_000, transcripts: 385_659, patientsAtOnce: 2)
        XCTAssertTrue(memory.coreInMemory)
        XCTAssertTrue(memory.slotsInMemory)
        XCTAssertTrue(PatientMemory(limit: 300_000_000, transcripts: 691_711, patientsAtOnce: 2).coreInMemory, "the bench's 4x lean core too")
    }

    func testALimitBetweenTheTwoKeepsTheSlotsAndFilesTheIndex() {
        let memory = PatientMemory(limit: 150_000_000, transcripts: 691_711, patientsAtOnce: 2)
        XCTAssertFalse(memory.coreInMemory)
        XCTAssertTrue(memory.slotsInMemory, "two patients' 691,711 slots are 66 MB")
        XCTAssertFalse(PatientMemory(limit: 150_000_000, transcripts: 691_711, patientsAtOnce: 4).slotsInMemory, "four patients' are 133 MB")
    }

    func testATinyLimitFilesBothAndTheCachesStayAtTheirFloor() {
        let memory = PatientMemory(limit: 1_000_000, transcripts: 2_708, patientsAtOnce: 2)
        XCTAssertFalse(memory.coreInMemory)
        XCTAssertFalse(memory.slotsInMemory)
        XCTAssertEqual(memory.cacheKilobytes, 256)
        XCTAssertEqual(PatientMemory(limit: 10_000_000_000, transcripts: 100_000_000, patientsAtOnce: 1).cacheKilobytes, 8192, "at most 8 MB")
    }
}
