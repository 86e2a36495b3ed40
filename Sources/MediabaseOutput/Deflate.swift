import CZlib
import Foundation
import MediabaseBytes
import MediabaseConcurrency

/// A raw deflate (RFC 1951) compressor for one chunk of a larger stream, reused from chunk to
/// chunk.
///
/// Chunks are compressed independently, the way pigz does it: each starts from a fresh state
/// primed with the previous chunk's last 32 KiB as dictionary (so matches can still reach back),
/// and every chunk but the last ends with a sync flush, an empty stored block that leaves the
/// output on a byte boundary. Raw deflate streams cut like that can be concatenated byte for
/// byte into one stream, so the result is a single gzip member whichever thread compressed which
/// chunk (pigz man page; zlib manual on `Z_SYNC_FLUSH` and `deflateSetDictionary`).
final class Deflater {
    /// How far back deflate can refer: the size of the dictionary a chunk is primed with.
    static let windowSize = 32 * 1024

    private var stream = z_stream()

    /// - Parameter level: zlib level 1–9.
    init(level: Int32) throws {
        // windowBits −15: raw deflate, no zlib header; memLevel 8 is zlib's default.
        let status = deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw MediabaseError.io(path: "zlib", message: "deflateInit failed (\(status))") }
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `input` as the continuation of a stream whose preceding bytes end with
    /// `dictionary`, and returns the raw deflate bytes: ending on a byte boundary without the final
    /// block when `final` is false, with the final block when true.
    func compress(_ input: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer, final: Bool) throws -> [UInt8] {
        guard deflateReset(&stream) == Z_OK else { throw failure("deflateReset") }
        if dictionary.count > 0 {
            let status = deflateSetDictionary(&stream, dictionary.baseAddress!.assumingMemoryBound(to: UInt8.self), uInt(dictionary.count))
            guard status == Z_OK else { throw failure("deflateSetDictionary") }
        }
        // deflateBound covers Z_FINISH; a sync flush adds its 5-byte empty block, and a few bytes
        // more keep the loop below to one round in practice.
        var capacity = Int(deflateBound(&stream, uLong(input.count))) + 16
        var output = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
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

/// One chunk of a gzip member on its way through a ``CompressionPool``: its input, the bytes
/// before it (the dictionary), and, once done, its deflate bytes and CRC-32.
final class CompressionJob: Sendable {
    let input: [UInt8]
    let dictionary: [UInt8]
    let final: Bool
    /// Set by the worker that ran the job.
    private let outcome = Guarded<Result<(output: [UInt8], crc: UInt), Error>?>(nil)

    init(input: [UInt8], dictionary: [UInt8], final: Bool) {
        self.input = input
        self.dictionary = dictionary
        self.final = final
    }

    /// Compresses the chunk and computes its CRC-32.
    fileprivate func run(with deflater: Deflater) {
        let result: Result<(output: [UInt8], crc: UInt), Error> = Result {
            let output = try input.withUnsafeBytes { input in
                try dictionary.withUnsafeBytes { dictionary in
                    try deflater.compress(input, dictionary: dictionary, final: final)
                }
            }
            return (output, input.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })
        }
        outcome.withLock { $0 = result }
    }

    /// Blocks until the job has run; its deflate bytes and CRC-32.
    func result() throws -> (output: [UInt8], crc: UInt) {
        try outcome.withLock(waitingUntil: { $0 != nil }) { outcome, _ in try outcome!.get() }
    }
}

/// Worker threads that compress ``CompressionJob``s, each with its own ``Deflater``, in the
/// order submitted. Without threads (`--threads 1`) jobs run on the caller's thread; the bytes
/// are the same either way, since a job's output depends only on its input and dictionary.
package final class CompressionPool {
    private struct State {
        /// Jobs waiting for a worker, oldest first (at most a few: producers bound what they submit).
        var queue: [CompressionJob] = []
        var stopping = false
        var running = 0
    }

    private let state = Guarded(State())
    private let inline: Deflater?

    /// Jobs a producer may have in flight before it waits: one per worker and two more, so the
    /// workers stay busy while the oldest chunk is written; memory stays a few MiB per thread.
    let maxInFlight: Int

    /// - Parameters:
    ///   - threads: worker threads; 1 compresses on the calling thread.
    ///   - level: zlib level 1–9.
    package init(threads: Int, level: Int32) throws {
        maxInFlight = max(1, threads) + 2
        if threads <= 1 {
            inline = try Deflater(level: level)
            return
        }
        inline = nil
        let deflaters = try (0..<threads).map { _ in try Deflater(level: level) }
        state.withLock { $0.running = threads }
        for deflater in deflaters {
            startThread { [self] in work(with: deflater) }
        }
    }

    /// Queues a job (or, without workers, runs it at once).
    func submit(_ job: CompressionJob) {
        if let inline {
            job.run(with: inline)
            return
        }
        state.withLock { $0.queue.append(job) }
    }

    /// Stops the workers once the queue is empty and waits for them to exit.
    func shutdown() {
        state.withLock { $0.stopping = true }
        state.withLock(waitingUntil: { $0.running == 0 }) { _, _ in }
    }

    private func work(with deflater: Deflater) {
        while let job = state.withLock(waitingUntil: { !$0.queue.isEmpty || $0.stopping }, { state, _ -> CompressionJob? in
            guard !state.queue.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.queue.removeFirst()
        }) {
            job.run(with: deflater)
        }
    }
}
