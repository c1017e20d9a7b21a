import ArgumentParser
import Doppel

/// Options for reading user data files, shared by every command that reads one.
struct ReadOptions: ParsableArguments {
    @Option(help: "CSV field delimiter (one character; \\t for tab).")
    var delimiter: String = ","

    @Option(name: .customLong("na"), help: ArgumentHelp("Text that means a missing value (repeatable; default: NA, N/A, null, NaN; the empty field is always missing).", valueName: "token"))
    var naTokens: [String] = []

    @Option(name: .customLong("column-type"), help: ArgumentHelp("Force a column's type instead of inferring it: NAME=TYPE with TYPE one of int64, float64, bool, string, date, timestamp (repeatable).", valueName: "name=type"))
    var columnTypes: [String] = []

    func resolved() throws -> DataReadOptions {
        var options = DataReadOptions()
        let text = delimiter == "\\t" ? "\t" : delimiter
        guard text.utf8.count == 1, let byte = text.utf8.first else {
            throw ValidationError("--delimiter must be a single one-byte character, got '\(delimiter)'")
        }
        options.delimiter = byte
        if !naTokens.isEmpty { options.naTokens = naTokens }
        for item in columnTypes {
            let (name, value) = try splitAssignment(item, option: "--column-type")
            guard let type = DataType(rawValue: value.lowercased()) else {
                throw ValidationError("--column-type \(item): unknown type '\(value)'; use one of \(DataType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            options.columnTypes[name] = type
        }
        return options
    }

    /// These options as command-line arguments, for the same command run elsewhere (a cluster task).
    var arguments: [String] {
        ["--delimiter", delimiter] + naTokens.flatMap { ["--na", $0] } + columnTypes.flatMap { ["--column-type", $0] }
    }
}

/// Splits `name=value` (the name may itself not contain '=').
func splitAssignment(_ item: String, option: String) throws -> (String, String) {
    guard let eq = item.firstIndex(of: "="), eq != item.startIndex, item.index(after: eq) != item.endIndex else {
        throw ValidationError("\(option) expects NAME=VALUE, got '\(item)'")
    }
    return (String(item[..<eq]), String(item[item.index(after: eq)...]))
}
