import Foundation

/// Paths removed when SIGINT, SIGTERM or SIGHUP ends the process, after which it exits with
/// 128 + the signal's number.
///
/// The signal handler may only make async-signal-safe calls, so the paths are kept as C strings
/// made when they are registered, and removal neither allocates nor forks.
package enum InterruptCleanup {
    nonisolated(unsafe) private static var paths: [UnsafeMutablePointer<CChar>] = []
    /// Each registered path's places in ``paths``: a batch registers a file per patient, and
    /// looking each up by a walk over all of them made 10,000 patients' unregistering quadratic.
    nonisolated(unsafe) private static var places: [String: [Int]] = [:]
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed = false
    /// Room for the path of an entry of a registered folder, one per level of subfolders below
    /// it: allocated before any signal, since the handler may not allocate.
    private static let childPathCapacity = 4096
    nonisolated(unsafe) private static var childPaths: [UnsafeMutablePointer<CChar>] = []

    /// Registers a file, or a folder with files and up to two levels of subfolders, to remove on
    /// interruption; the handlers are installed at the first call.
    package static func register(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        places[path, default: []].append(paths.count)
        paths.append(strdup(path))
        guard !installed else { return }
        installed = true
        childPaths = (0..<3).map { _ in UnsafeMutablePointer<CChar>.allocate(capacity: childPathCapacity) }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { number in
                // Only async-signal-safe calls here: fork/exec `rm -rf` would not be; unlink and
                // rmdir cover files and the (shallow) output folders.
                for path in InterruptCleanup.paths { InterruptCleanup.removeTree(path, depth: 0) }
                _exit(128 + number)
            }
        }
    }

    /// Forgets a path (it was renamed into place or removed).
    package static func unregister(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        // The last entry takes each freed place (the order of removal does not matter); from
        // the highest place down, so that the one moved is never one still to remove.
        for place in (places.removeValue(forKey: path) ?? []).sorted(by: >) {
            free(paths[place])
            let last = paths.count - 1
            if place != last {
                paths[place] = paths[last]
                let moved = String(cString: paths[place])
                places[moved]![places[moved]!.firstIndex(of: last)!] = place
            }
            paths.removeLast()
        }
    }

    /// The registered paths, each as often as it was registered, read back from the C strings
    /// the handler would remove (for tests).
    static var registeredPaths: [String] {
        lock.lock()
        defer { lock.unlock() }
        return paths.map { String(cString: $0) }
    }

    /// Removes a file, or a folder `depth` levels below a registered one with what it holds (up
    /// to ``childPaths``' count of levels), without allocating.
    private static func removeTree(_ path: UnsafeMutablePointer<CChar>, depth: Int) {
        if unlink(path) == 0 { return }
        guard depth < childPaths.count, let directory = opendir(path) else { return }
        let child = childPaths[depth]
        while let entry = readdir(directory) {
            withUnsafeBytes(of: entry.pointee.d_name) { name in
                let base = name.baseAddress!.assumingMemoryBound(to: CChar.self)
                if base[0] == 0x2E && (base[1] == 0 || (base[1] == 0x2E && base[2] == 0)) { return }
                let length = strlen(path)
                let nameLength = strlen(base)
                guard length + nameLength + 2 < childPathCapacity else { return }
                memcpy(child, path, length)
                child[length] = 0x2F
                memcpy(child + length + 1, base, nameLength)
                child[length + 1 + nameLength] = 0
                if unlink(child) != 0 { removeTree(child, depth: depth + 1) }
            }
        }
        closedir(directory)
        rmdir(path)
    }
}
