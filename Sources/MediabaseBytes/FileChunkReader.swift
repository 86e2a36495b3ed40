import Foundation

/// Reads a file from start to end a chunk at a time into an array the caller reuses, so the
/// bytes can go to a consumer that takes arrays (a hasher) without a copy per chunk.
package final class FileChunkReader {
    private let stream: FileByteStream

    /// Opens `path`; throws a ``MediabaseError`` naming it when it cannot be read.
    package init(path: String) throws {
        stream = try FileByteStream(path: path)
    }

    /// Overwrites `chunk` from its start with the next bytes, at most `chunk.count` of them, and
    /// returns how many; 0 at the end of the file.
    package func read(into chunk: inout [UInt8]) throws -> Int {
        try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
    }
}
