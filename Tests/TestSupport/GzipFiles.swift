import MediabaseBytes

/// What a gzip stream holds, decompressed by the project's own `InflateStream` (which other
/// tests check against zlib's and gzip's output).
package enum GzipFiles {
    /// Every byte `stream` gives, decompressed from gzip; `name` names it in errors.
    package static func inflate(_ stream: ByteStream, name: String) throws -> [UInt8] {
        let inflated = try InflateStream(source: stream, wrapping: .gzip, name: name)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try inflated.read(into: &buffer)
            if count == 0 { return out }
            out += buffer[0..<count]
        }
    }

    /// Every byte of the gzip file at `path`, decompressed.
    package static func inflate(path: String) throws -> [UInt8] {
        try inflate(try FileByteStream(path: path), name: path)
    }
}
