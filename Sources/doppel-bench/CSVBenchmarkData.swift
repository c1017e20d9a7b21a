import DoppelTable
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic mixed-type CSV: integers, floats, ISO dates, timestamps, low- and
/// high-cardinality strings (some quoted), booleans, and 5 % missing values in every column but
/// the key. Same size argument ⇒ same bytes.
enum CSVBenchmarkData {
    static let header = "id,quantity,price,ratio,day,updated_at,category,city,customer,active\n"
    static let categories = ["books", "music", "garden", "toys", "food", "tools", "sports", "beauty", "auto", "health",
                             "office", "pets", "baby", "games", "kitchen", "shoes", "jewelry", "movies", "outdoor", "crafts"]
    static let cities = ["Wien", "Graz", "Linz", "Salzburg", "Innsbruck", "\"Sankt Pölten, NÖ\"", "Klagenfurt", "Villach",
                         "Wels", "Dornbirn", "\"Steyr, OÖ\"", "Feldkirch"]

    /// The CSV a benchmark reads: `--file PATH`, else `DIR/mixed-<N>mb.csv` (`--dir`, default
    /// `bench-data`; `--size-mb`, default `defaultMB`), generated first when it does not exist.
    static func file(_ arguments: [String], defaultMB: Int) throws -> String {
        let sizeMB = Int(BenchCommandLine.value("size-mb", in: arguments) ?? "") ?? defaultMB
        let directory = BenchCommandLine.value("dir", in: arguments) ?? "bench-data"
        let path = BenchCommandLine.value("file", in: arguments) ?? "\(directory)/mixed-\(sizeMB)mb.csv"
        if access(path, F_OK) != 0 {
            mkdir(directory, 0o755)
            let start = BenchCommandLine.now()
            let rows = try generate(path: path, bytes: sizeMB * 1_000_000)
            print("generated \(path): \(rows) rows in \(BenchCommandLine.format(BenchCommandLine.now() - start, decimals: 1)) s")
        }
        return path
    }

    /// Writes about `bytes` bytes to `path`; returns the number of rows.
    static func generate(path: String, bytes target: Int) throws -> Int {
        guard let file = fopen(path, "wb") else { throw BenchError("cannot create \(path)") }
        defer { fclose(file) }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 21)
        out.append(contentsOf: header.utf8)
        var written = 0
        var rng: UInt64 = 0x5EED
        var row = 0
        func next() -> UInt64 {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let categoryBytes = categories.map { Array($0.utf8) }
        let cityBytes = cities.map { Array($0.utf8) }
        while written + out.count < target {
            let r = next()
            let missing = next()
            func present(_ column: UInt64) -> Bool { (missing >> (column * 6)) % 20 != 0 }
            appendInt(row, to: &out)
            out.append(UInt8(ascii: ","))
            if present(0) { appendInt(Int(r % 500), to: &out) }
            out.append(UInt8(ascii: ","))
            if present(1) { appendFixed(Int(r >> 9) % 1_000_000, decimals: 2, to: &out) }
            out.append(UInt8(ascii: ","))
            if present(2) { appendFixed(Int(r >> 29) % 10_000_000, decimals: 6, to: &out) }
            out.append(UInt8(ascii: ","))
            let day = 10_957 + Int(r >> 40) % 9_000
            if present(3) { appendDate(day, to: &out) }
            out.append(UInt8(ascii: ","))
            if present(4) {
                appendDate(day + Int(r % 30), to: &out)
                out.append(UInt8(ascii: " "))
                let seconds = Int(r >> 20) % 86_400
                appendPadded(seconds / 3600, 2, &out); out.append(UInt8(ascii: ":"))
                appendPadded(seconds / 60 % 60, 2, &out); out.append(UInt8(ascii: ":"))
                appendPadded(seconds % 60, 2, &out)
            }
            out.append(UInt8(ascii: ","))
            if present(5) { out.append(contentsOf: categoryBytes[Int(r >> 50) % categoryBytes.count]) }
            out.append(UInt8(ascii: ","))
            if present(6) { out.append(contentsOf: cityBytes[Int(r >> 44) % cityBytes.count]) }
            out.append(UInt8(ascii: ","))
            if present(7) {
                out.append(contentsOf: "cust-".utf8)
                appendInt(Int(next() % 100_000_000), to: &out)
            }
            out.append(UInt8(ascii: ","))
            if present(8) { out.append(contentsOf: (r & 1 == 0 ? "true" : "false").utf8) }
            out.append(UInt8(ascii: "\n"))
            row += 1
            if out.count >= 1 << 20 {
                guard fwrite(out, 1, out.count, file) == out.count else { throw BenchError("write failed: \(path)") }
                written += out.count
                out.removeAll(keepingCapacity: true)
            }
        }
        guard fwrite(out, 1, out.count, file) == out.count else { throw BenchError("write failed: \(path)") }
        return row
    }

    static func appendInt(_ value: Int, to out: inout [UInt8]) {
        if value >= 10 { appendInt(value / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    static func appendPadded(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }

    static func appendFixed(_ value: Int, decimals: Int, to out: inout [UInt8]) {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        appendInt(value / scale, to: &out)
        out.append(UInt8(ascii: "."))
        appendPadded(value % scale, decimals, &out)
    }

    /// `YYYY-MM-DD` of a day number since 1970-01-01.
    static func appendDate(_ days: Int, to out: inout [UInt8]) {
        TemporalFormat.appendDate(days: days, to: &out)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
