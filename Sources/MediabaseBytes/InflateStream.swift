import CZlib
import Foundation

/// Decompresses another ``ByteStream``: gzip files (all members of a multi-member file, as
/// `gunzip` does) or raw zlib streams (the data blocks of pg_dump custom archives).
package final class InflateStream: ByteStream {
    /// The wrapping the compressed bytes use.
    package enum Wrapping {
        /// RFC 1952 gzip, possibly several concatenated members.
        case gzip
        /// RFC 1950 zlib, one stream.
        case zlib
    }

    private let source: ByteStream
    private let wrapping: Wrapping
    private let name: String
    private var zstream = z_stream()
    private var input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 256 * 1024
    private var sourceEnded = false
    private var streamEnded = false
    /// Compressed bytes consumed so far (for error offsets).
    package private(set) var compressedOffset: Int64 = 0
    /// Decompressed bytes produced so far.
    package private(set) var decompressedOffset: Int64 = 0

    /// - Parameter name: how errors name the input (a file path, or a path and table).
    package init(source: ByteStream, wrapping: Wrapping, name: String) throws {
        self.source = source
        self.wrapping = wrapping
        self.name = name
        input = .allocate(capacity: inputCapacity)
        let bits: Int32 = wrapping == .gzip ? 15 + 16 : 15
        let status = inflateInit2_(&zstream, bits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            throw MediabaseError.io(path: name, message: "zlib inflateInit failed (\(status))")
        }
    }

    deinit {
        inflateEnd(&zstream)
        input.deallocate()
    }

    private func refill() throws {
        guard zstream.avail_in == 0, !sourceEnded else { return }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(start: input, count: inputCapacity))
        if count == 0 { sourceEnded = true }
        zstream.next_in = input
        zstream.avail_in = uInt(count)
    }

    private func corrupt(_ detail: String) -> MediabaseError {
        let what = wrapping == .gzip ? "gzip" : "zlib"
        let consumed = compressedOffset - Int64(zstream.avail_in)
        return .malformedInput(
            SourceLocation(file: name, byteOffset: consumed),
            expected: "valid \(what) compressed data (\(detail))")
    }

    package func read(into buffer: inout MutableSpan<UInt8>) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        return try buffer.withUnsafeMutableBufferPointer { try decompress(into: UnsafeMutableRawBufferPointer($0)) }
    }

    private func decompress(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if streamEnded {
                // A gzip file may hold further members; anything else after the end is garbage.
                try refill()
                if zstream.avail_in == 0 && sourceEnded { return 0 }
                guard wrapping == .gzip else { throw corrupt("data after the end of the stream") }
                guard inflateReset(&zstream) == Z_OK else { throw corrupt("cannot restart for next member") }
                streamEnded = false
            }
            let before = zstream.avail_in
            try refill()
            if zstream.avail_in != before { compressedOffset += Int64(zstream.avail_in) - Int64(before) }
            zstream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            zstream.avail_out = uInt(buffer.count)
            let availableIn = zstream.avail_in
            let status = inflate(&zstream, Z_NO_FLUSH)
            let produced = buffer.count - Int(zstream.avail_out)
            decompressedOffset += Int64(produced)
            switch status {
            case Z_STREAM_END:
                streamEnded = true
                if produced > 0 { return produced }
            case Z_OK:
                if produced > 0 { return produced }
            case Z_BUF_ERROR:
                if produced > 0 { return produced }
                if sourceEnded && zstream.avail_in == 0 { throw corrupt("stream is truncated") }
            case Z_NEED_DICT:
                throw corrupt("a preset dictionary is required")
            default:
                let message = zstream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw corrupt(message)
            }
            if sourceEnded && zstream.avail_in == 0 && !streamEnded && produced == 0 && availableIn == 0 {
                throw corrupt("stream is truncated")
            }
        }
    }
}
