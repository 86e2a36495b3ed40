import CZlib
import Foundation

/// A raw deflate (RFC 1951) compressor for one chunk of a larger stream, reused from chunk to
/// chunk: the zlib calls of compression, behind spans (docs/architecture.md, "Unsafe code").
///
/// Each chunk starts from a fresh state primed with the bytes before it as dictionary (so
/// matches can still reach back), and a chunk that is not final ends with a sync flush, an
/// empty stored block that leaves the output on a byte boundary. Raw deflate streams cut like
/// that can be concatenated byte for byte into one stream (zlib manual on `Z_SYNC_FLUSH` and
/// `deflateSetDictionary`); the output depends only on the chunk, its dictionary and the level.
package final class Deflater {
    /// How far back deflate can refer: the most of a dictionary that matters.
    package static let windowSize = 32 * 1024

    private var stream = z_stream()

    /// - Parameter level: zlib level 1–9.
    package init(level: Int32) throws {
        // windowBits −15: raw deflate, no zlib header; memLevel 8 is zlib's default.
        let status = deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw MediabaseError.io(path: "zlib", message: "deflateInit failed (\(status))") }
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `input` as the continuation of a stream whose preceding bytes end with
    /// `dictionary`, and returns the raw deflate bytes: ending on a byte boundary without the final
    /// block when `final` is false, with the final block when true.
    package func compress(_ input: Span<UInt8>, dictionary: Span<UInt8>, final: Bool) throws -> [UInt8] {
        try input.withUnsafeBufferPointer { input in
            try dictionary.withUnsafeBufferPointer { dictionary in
                try compress(input, dictionary: dictionary, final: final)
            }
        }
    }

    private func compress(_ input: UnsafeBufferPointer<UInt8>, dictionary: UnsafeBufferPointer<UInt8>, final: Bool) throws -> [UInt8] {
        guard deflateReset(&stream) == Z_OK else { throw failure("deflateReset") }
        if dictionary.count > 0 {
            let status = deflateSetDictionary(&stream, dictionary.baseAddress!, uInt(dictionary.count))
            guard status == Z_OK else { throw failure("deflateSetDictionary") }
        }
        // deflateBound covers Z_FINISH; a sync flush adds its 5-byte empty block, and a few bytes
        // more keep the loop below to one round in practice.
        var capacity = Int(deflateBound(&stream, uLong(input.count))) + 16
        var output = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = uInt(input.count)
        let flush = final ? Z_FINISH : Z_SYNC_FLUSH
        while true {
            let status: Int32 = output.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress! + produced
                stream.avail_out = uInt(capacity - produced)
                let status = deflate(&stream, flush)
                produced = capacity - Int(stream.avail_out)
                return status
            }
            if final, status == Z_STREAM_END { break }
            guard status == Z_OK || status == Z_BUF_ERROR else { throw failure("deflate returned \(status)") }
            // A flush is complete when deflate left output space unused (zlib manual, deflate()).
            if !final, stream.avail_out > 0, stream.avail_in == 0 { break }
            capacity *= 2
            output.append(contentsOf: repeatElement(0, count: capacity - output.count))
        }
        output.removeSubrange(produced...)
        stream.next_in = nil
        stream.next_out = nil
        return output
    }

    private func failure(_ what: String) -> MediabaseError {
        .io(path: "zlib", message: "\(what) failed: \(stream.msg.map { String(cString: $0) } ?? "no message")")
    }
}

/// The CRC-32 of gzip (RFC 1952), computed by zlib.
package enum CRC32 {
    /// The CRC-32 of `bytes`.
    package static func checksum(_ bytes: Span<UInt8>) -> UInt {
        bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
    }

    /// The CRC-32 of two byte strings end to end, from their CRC-32s and the second's length.
    package static func combine(_ first: UInt, _ second: UInt, secondLength: Int) -> UInt {
        crc32_combine(first, second, off_t(secondLength))
    }
}
