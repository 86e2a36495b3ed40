import MediabaseBytes
import MediabaseConcurrency

/// Reads another stream ahead on a thread of its own, so that decompression (a gzip file, the
/// zlib blocks of a custom archive) runs on one core while the caller splits and checks the bytes
/// already decompressed on another. The caller gets the same bytes, in the same reads' sizes at
/// most, and the source's error once the bytes read before it are served.
///
/// Memory is bounded: at most `buffers` buffers of `bufferSize` bytes are filled ahead.
///
/// The source is read only by the thread, from construction until it ends, fails or ``close()``
/// stops it. ``close()`` (also run by `deinit`) waits for the thread, so that once it returns the
/// caller may read what lies behind the source (the next block of an archive) itself.
package final class ReadAheadStream: ByteStream {
    /// What the two threads share, under the lock: filled buffers in order, empty ones to fill.
    private struct Shared {
        var filled: [(bytes: [UInt8], count: Int)] = []
        var empty: [[UInt8]]
        /// The source gave 0 (the end), or threw `failure`.
        var ended = false
        var failure: Error?
        /// ``close()`` asks the thread to stop before the source's end.
        var stopping = false
    }

    /// The source, handed to the thread: unchecked, as no other thread reaches it while the
    /// thread runs.
    private struct Source: @unchecked Sendable {
        let stream: ByteStream
    }

    private let shared: Guarded<Shared>
    private var reader: BackgroundTask<Void>?
    /// The buffer being served, and how far.
    private var current: [UInt8] = []
    private var currentCount = 0
    private var position = 0
    private var finished = false

    /// Starts reading `source` ahead. `bufferSize`: the bytes asked of the source at a time (a
    /// buffer is handed over once at least half full, or at the source's end).
    package init(source: ByteStream, bufferSize: Int = 1 << 20, buffers: Int = 4) {
        precondition(bufferSize > 0 && buffers > 0, "a read-ahead needs a buffer")
        let shared = Guarded(Shared(empty: (0..<buffers).map { _ in [UInt8](repeating: 0, count: bufferSize) }))
        self.shared = shared
        let source = Source(stream: source)
        reader = BackgroundTask { Self.fill(from: source.stream, into: shared) }
    }

    deinit { close() }

    /// Stops reading ahead and waits for the thread; later reads return what was read before.
    /// Call it before reading past the source in the stream beneath it.
    package func close() {
        guard let reader else { return }
        shared.withLock { $0.stopping = true }
        try? reader.wait()
        self.reader = nil
    }

    package func read(into buffer: inout MutableSpan<UInt8>) throws -> Int {
        guard buffer.count > 0, !finished else { return 0 }
        if position == currentCount {
            guard try takeNextBuffer() else { return 0 }
        }
        let count = min(buffer.count, currentCount - position)
        let bytes = current
        buffer.copy(bytes.span.extracting(position..<(position + count)), to: 0)
        position += count
        return count
    }

    /// Hands the served buffer back and waits for the next: false at the source's end; throws
    /// its error once every buffer filled before it was served.
    private func takeNextBuffer() throws -> Bool {
        var used: [UInt8] = []
        swap(&used, &current)
        shared.withLock { shared in
            // Handed over under the lock and dropped here, so the thread's next fill finds the
            // buffer uniquely referenced (no copy on write).
            if !used.isEmpty { shared.empty.append(used) }
            used = []
        }
        let next = try shared.withLock(waitingUntil: { !$0.filled.isEmpty || $0.ended || $0.stopping }) { shared, _ -> (bytes: [UInt8], count: Int)? in
            if !shared.filled.isEmpty { return shared.filled.removeFirst() }
            if let failure = shared.failure { throw failure }
            return nil
        }
        guard let next else {
            finished = true
            return false
        }
        (current, currentCount, position) = (next.bytes, next.count, 0)
        return true
    }

    /// The thread: fills empty buffers from the source until it ends or fails, or until asked to stop.
    private static func fill(from source: ByteStream, into shared: Guarded<Shared>) {
        while true {
            var buffer: [UInt8] = []
            let go = shared.withLock(waitingUntil: { !$0.empty.isEmpty || $0.stopping }) { shared, _ -> Bool in
                guard !shared.stopping else { return false }
                buffer = shared.empty.removeLast()
                return true
            }
            guard go else { return }
            var count = 0
            var ended = false
            var failure: Error?
            do {
                var span = buffer.mutableSpan
                // At least half a buffer per hand-over: a chunk stream may give a few KB per read.
                while count < span.count / 2 {
                    let got = try source.read(into: &span, at: count, count: span.count - count)
                    if got == 0 {
                        ended = true
                        break
                    }
                    count += got
                }
            } catch {
                failure = error
            }
            let stop = shared.withLock { shared -> Bool in
                if count > 0 { shared.filled.append((buffer, count)) }
                buffer = []
                if ended || failure != nil {
                    shared.ended = true
                    shared.failure = failure
                }
                return shared.ended || shared.stopping
            }
            if stop { return }
        }
    }
}
