import Foundation
import MediabaseBytes
import MediabaseConcurrency

/// One chunk of a gzip member on its way through a ``CompressionPool``: its input, the bytes
/// before it (the dictionary), and, once done, its deflate bytes and CRC-32.
///
/// Chunks are compressed independently, the way pigz does it: each by a ``Deflater`` primed with
/// the previous chunk's last 32 KiB, every chunk but the last ending with a sync flush, so the
/// chunks' deflate bytes concatenate into a single gzip member whichever thread compressed which
/// chunk (pigz man page).
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
        let (input, dictionary) = (self.input, self.dictionary)
        let result: Result<(output: [UInt8], crc: UInt), Error> = Result {
            let output = try deflater.compress(input.span, dictionary: dictionary.span, final: final)
            return (output, CRC32.checksum(input.span))
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
