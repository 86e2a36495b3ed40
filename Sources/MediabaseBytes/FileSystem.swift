import Foundation

// File-system questions and moves without pointers in the caller: the system calls that take
// them stay in this layer (docs/architecture.md, "Unsafe code").

/// What a path names.
package enum FileKind: Equatable, Sendable {
    case file, directory, other

    /// What `path` names, symbolic links followed; nil when nothing is there.
    package init?(at path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        default: self = .other
        }
    }

    /// Whether `path` names something this process may execute.
    package static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// Why this process may not create files in the folder at `path` (`Permission denied`,
    /// `Read-only file system`, ...); nil when it may.
    package static func whyNotWritable(_ path: String) -> String? {
        access(path, W_OK) == 0 ? nil : String(cString: strerror(errno))
    }
}

/// What tells one file from another at the same path: device, inode, size, modification time.
package struct FileIdentity: Equatable, Sendable {
    package let device: UInt64
    package let inode: UInt64
    package let size: Int64
    package let modified: Int64
    package let modifiedNanoseconds: Int64

    /// The identity of the regular file at `path`, nil when there is none.
    package static func of(_ path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                            modified: Int64(modified.tv_sec), modifiedNanoseconds: Int64(modified.tv_nsec))
    }
}

/// The process's limit of open files.
package enum OpenFileLimit {
    /// Raises the soft limit (often 1024) to the hard one; a failure leaves it as it was.
    package static func raiseToMaximum() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// A system call that failed: the system's message for its `errno`.
package struct SystemCallError: Error, Equatable {
    package let message: String
}

/// Moves files (the call takes C strings).
package enum FileMove {
    /// Renames `source` to `target` in one step, replacing a file at `target` (rename(2)).
    package static func rename(_ source: String, to target: String) throws(SystemCallError) {
        guard Foundation.rename(source, target) == 0 else { throw SystemCallError(message: String(cString: strerror(errno))) }
    }
}
