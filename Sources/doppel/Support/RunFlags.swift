import ArgumentParser

/// The flags of every command that writes output files: replace them, and print no progress.
struct RunFlags: ParsableArguments {
    @Flag(help: "Replace output files that exist already.")
    var force = false

    @Flag(help: "Print no progress.")
    var quiet = false
}
