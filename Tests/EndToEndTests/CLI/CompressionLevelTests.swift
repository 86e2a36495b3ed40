import Foundation
import XCTest
@testable import MediabaseGenerate
@testable import MediabaseOutput
@testable import MediabasePipeline
import MediabaseTestSupport

/// `--compression-level N` (docs/commands.md, "Compression"): the zlib level of a bundle's parts.
/// Any level gives the same rows, byte for byte once decompressed, and a bundle that
/// `validate` passes; a higher level gives smaller parts; a level outside 1–9, or one asked of a
/// SQLite output, is refused.
final class CompressionLevelTests: ScratchFolderTestCase {
    private func dump() throws -> String {
        let options = GenerateOptions(seed: 5, genes: 300, formats: [.plain], threads: 2, clean: true, profile: .lean, rowOrder: .scattered)
        _ = try DatasetGenerator(options: options).generate(into: path("input"), replace: false)
        return path("input/mbase.sql")
    }

    private func convert(_ input: String, to name: String, _ extra: [String]) throws -> ConversionReport {
        let report = path(name + ".report.json")
        let result = try Subprocess.spawn([Repository.binary, "convert", input, "--to", "bundle", path(name),
                                           "--progress", "never", "--report", report] + extra)
        XCTAssertEqual(result.status, 0, String(decoding: result.errors, as: UTF8.self))
        return try JSONDecoder().decode(ConversionReport.self, from: Data(contentsOf: URL(fileURLWithPath: report)))
    }

    /// The parts of a bundle, decompressed by `gzip -dc` (not by our own inflater), by name.
    private func decompressedParts(_ name: String) throws -> [String: Data] {
        var parts: [String: Data] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: path(name)) where file.hasSuffix(".sql.gz") {
            let result = try Subprocess.spawn(["/usr/bin/env", "gzip", "-dc", path(name + "/" + file)])
            XCTAssertEqual(result.status, 0, "gzip -dc \(file)")
            parts[file] = result.output
        }
        return parts
    }

    private func compressedBytes(_ name: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: path(name)).filter { $0.hasSuffix(".sql.gz") }.reduce(0) { total, file in
            total + ((try FileManager.default.attributesOfItem(atPath: path(name + "/" + file))[.size] as? Int) ?? 0)
        }
    }

    func testEveryLevelGivesTheSameRowsAndHigherLevelsSmallerParts() throws {
        let input = try dump()
        let fastest = try convert(input, to: "fast.bundle", ["--compression-level", "1"])
        let smallest = try convert(input, to: "small.bundle", ["--compression-level", "9", "--threads", "1"])
        let standard = try convert(input, to: "default.bundle", [])
        XCTAssertEqual(fastest.compressionLevel, 1)
        XCTAssertEqual(smallest.compressionLevel, 9)
        XCTAssertEqual(standard.compressionLevel, Int(BundleWriter.defaultLevel), "the default is reported")
        XCTAssertEqual(BundleWriter.defaultLevel, 4)

        let parts = try decompressedParts("default.bundle")
        XCTAssertEqual(Set(parts.keys), [BundleWriter.schemaPart, BundleWriter.dataPart, BundleWriter.constraintsPart, BundleWriter.viewsPart])
        XCTAssertEqual(try decompressedParts("fast.bundle"), parts, "level 1 holds the same SQL")
        XCTAssertEqual(try decompressedParts("small.bundle"), parts, "level 9 holds the same SQL")
        let (fast, standardBytes, small) = (try compressedBytes("fast.bundle"), try compressedBytes("default.bundle"), try compressedBytes("small.bundle"))
        XCTAssertLessThan(small, fast, "level 9 compresses more than level 1")
        XCTAssertLessThanOrEqual(small, standardBytes)
        XCTAssertLessThanOrEqual(standardBytes, fast)
        for name in ["fast.bundle", "small.bundle"] {
            let check = try Subprocess.spawn([Repository.binary, "validate", path(name)])
            XCTAssertEqual(check.status, 0, "\(name): " + String(decoding: check.output + check.errors, as: UTF8.self))
        }
    }

    func testALevelOutsideOneToNineOrForSQLiteIsRefused() throws {
        let input = try dump()
        for level in ["0", "10", "fast"] {
            let result = try Subprocess.spawn([Repository.binary, "convert", input, "--to", "bundle", path("b\(level)"), "--compression-level", level])
            XCTAssertEqual(result.status, 64, "--compression-level \(level)")
            XCTAssertTrue(String(decoding: result.errors, as: UTF8.self).contains("compression-level"), String(decoding: result.errors, as: UTF8.self))
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("b\(level)")))
        }
        let sqlite = try Subprocess.spawn([Repository.binary, "convert", input, "--to", "sqlite", path("core.sqlite"), "--compression-level", "3"])
        XCTAssertNotEqual(sqlite.status, 0)
        XCTAssertTrue(String(decoding: sqlite.errors, as: UTF8.self).contains("--compression-level applies to --to bundle only"),
                      String(decoding: sqlite.errors, as: UTF8.self))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("core.sqlite")))

        // From a config file: the file and line are named.
        try "threads: 1\ncompression-level: 12\n".write(toFile: path("run.yaml"), atomically: true, encoding: .utf8)
        let configured = try Subprocess.spawn([Repository.binary, "convert", input, "--to", "bundle", path("c.bundle"), "--config", path("run.yaml")])
        XCTAssertNotEqual(configured.status, 0)
        let message = String(decoding: configured.errors, as: UTF8.self)
        XCTAssertTrue(message.contains("run.yaml") && message.contains("compression-level") && message.contains("from 1 to 9"), message)
    }
}
