import Foundation

/// A check before a model is built: the memory its training needs, estimated from the parameter
/// count, against the memory available. Per parameter, 4-byte floats for the values, the
/// gradients, AdamW's two moments, one gradient buffer per worker thread, and the checkpoint's
/// copy of values and moments while it is written: (7 + workers) × 4 bytes. Activations (which
/// follow the batch) come on top, so the limit is 80 % of the available memory.
enum TrainingMemory {
    static func bytes(parameters: Int, workers: Int) -> Double { Double(parameters) * 4 * Double(7 + max(workers, 1)) }

    /// Throws with the sizes and what to change when training `parameters` would not fit.
    static func require(parameters: Int, workers: Int, size: String, available: Double? = availableBytes()) throws {
        guard let available else { return }
        let needed = bytes(parameters: parameters, workers: workers)
        guard needed > 0.8 * available else { return }
        func gib(_ b: Double) -> String { String(format: "%.1f GiB", b / 1_073_741_824) }
        let smaller = size == "S" ? "" : "train a smaller model (--model S), "
        throw PipelineError.workspace("model \(size) has \(parameters) parameters and would need about \(gib(needed)) to train, more than the \(gib(available)) available; \(smaller)model fewer columns (drop some, or split the table), or use a machine with more memory")
    }

    /// `MemAvailable` of `/proc/meminfo`, or `nil` where it cannot be read.
    static func availableBytes() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kib = Double(parts[1]) { return kib * 1024 }
        }
        return nil
    }
}
