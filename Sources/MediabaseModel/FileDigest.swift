import Crypto
import Foundation
import MediabaseBytes

/// SHA-256 of input files, for reports and manifests.
package enum FileDigest {
    /// Hex SHA-256 of a file's bytes (for a folder: of each file, combined in name order as
    /// `name  hash` lines, like `sha256sum`).
    package static func sha256(path: String) throws -> String {
        if FileKind(at: path) == .directory {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            var listing = ""
            for name in names { listing += "\(try sha256(path: (path as NSString).appendingPathComponent(name)))  \(name)\n" }
            return hex(SHA256.hash(data: Data(listing.utf8)))
        }
        return try FileDigestInProgress(path: path).finish()
    }

    /// Hex SHA-256 of bytes in memory.
    package static func sha256(bytes: some DataProtocol) -> String { hex(SHA256.hash(data: bytes)) }

    package static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The SHA-256 of a file computed a chunk at a time: ``step()`` can fill the moments a busy
/// thread would wait, and ``finish()`` does the rest. Used by one thread at a time.
package final class FileDigestInProgress {
    private let file: FileByteStream
    private var hasher = SHA256()
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)
    private var failure: Error?
    private var done = false

    package init(path: String) throws {
        file = try FileByteStream(path: path)
    }

    /// Hashes the next megabyte; false once the whole file is hashed (or reading it failed).
    package func step() -> Bool {
        guard !done else { return false }
        do {
            let count = try file.read(into: &chunk)
            if count == 0 {
                done = true
            } else {
                hasher.update(data: chunk[0..<count])
            }
        } catch {
            failure = error
            done = true
        }
        return !done
    }

    /// Hashes what is left and returns the hex digest.
    package func finish() throws -> String {
        while step() {}
        if let failure { throw failure }
        return FileDigest.hex(hasher.finalize())
    }
}
