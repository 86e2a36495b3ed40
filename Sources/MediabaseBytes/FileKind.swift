import Foundation

/// What a path names, asked without pointers: the file-system calls that take them stay in this
/// layer (docs/architecture.md, "Unsafe code").
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
}
