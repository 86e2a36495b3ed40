/// The tool's version, written into reports and bundle manifests.
package enum MediabaseVersion {
    package static let current = "0.1.0"
}
