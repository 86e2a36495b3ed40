/// Path helpers shared by the commands and the temporaries.
package enum Paths {
    /// A path's folder (`.` when it names none) and last component. Not NSString's path methods:
    /// in swift-corelibs-foundation 6.3 they trap on some short relative paths (`b`, `abc`).
    package static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        return (folder, String(path[path.index(after: slash)...]))
    }

    /// `out//` → `out`; `/` stays `/`.
    package static func trimmingTrailingSlashes(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
