/// The tool's version, written into reports and bundle manifests.
public enum MediabaseVersion {
    public static let current = "0.1.0"
}
