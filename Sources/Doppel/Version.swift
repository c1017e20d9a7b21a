/// The engine's version, shown by `doppel --version` and written into workspace files.
public enum DoppelVersion {
    public static let current = "0.1.0"
}
