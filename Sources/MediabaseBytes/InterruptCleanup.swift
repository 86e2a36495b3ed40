import Foundation

/// Paths removed when SIGINT, SIGTERM or SIGHUP ends the process, after which it exits with
/// 128 + the signal's number.
///
/// The signal handler may only make async-signal-safe calls, so the paths are kept as C strings
/// made when they are registered, and removal neither allocates nor forks.
package enum InterruptCleanup {
    nonisolated(unsafe) private static var paths: [UnsafeMutablePointer<CChar>] = []
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed = false

    /// Registers a file, or a folder of files with one level of subfolders, to remove on
    /// interruption; the handlers are installed at the first call.
    package static func register(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.append(strdup(path))
        guard !installed else { return }
        installed = true
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { number in
                // Only async-signal-safe calls here: fork/exec `rm -rf` would not be; unlink and
                // rmdir cover files and the (flat) bundle folders.
                for path in InterruptCleanup.paths { InterruptCleanup.removeTree(path) }
                _exit(128 + number)
            }
        }
    }

    /// Forgets a path (it was renamed into place or removed).
    package static func unregister(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.removeAll { pointer in
            guard String(cString: pointer) == path else { return false }
            free(pointer)
            return true
        }
    }

    /// Removes a file, or a folder with files and one level of subfolders, without allocating.
    private static func removeTree(_ path: UnsafeMutablePointer<CChar>) {
        if unlink(path) == 0 { return }
        guard let directory = opendir(path) else { return }
        var child = [CChar](repeating: 0, count: 4096)
        while let entry = readdir(directory) {
            withUnsafeBytes(of: entry.pointee.d_name) { name in
                let base = name.baseAddress!.assumingMemoryBound(to: CChar.self)
                if base[0] == 0x2E && (base[1] == 0 || (base[1] == 0x2E && base[2] == 0)) { return }
                let length = strlen(path)
                let nameLength = strlen(base)
                guard length + nameLength + 2 < child.count else { return }
                child.withUnsafeMutableBufferPointer { buffer in
                    memcpy(buffer.baseAddress!, path, length)
                    buffer[length] = 0x2F
                    memcpy(buffer.baseAddress! + length + 1, base, nameLength)
                    buffer[length + 1 + nameLength] = 0
                    if unlink(buffer.baseAddress!) != 0 { removeTree(buffer.baseAddress!) }
                }
            }
        }
        closedir(directory)
        rmdir(path)
    }
}
