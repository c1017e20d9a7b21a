/// Small inline-SVG chart writers for the HTML report: no scripts, no external resources.
enum SVG {
    static let originalColor = "#6b7280"
    static let syntheticColor = "#16a34a"
    static let holdoutColor = "#2563eb"

    /// Escapes text for HTML/SVG content and attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        return String(Double(Int((x * 10).rounded())) / 10)
    }

    static func shorten(_ s: String, _ max: Int) -> String {
        guard s.count > max, max > 3 else { return s }
        let head = (max - 1) / 2, tail = max - 1 - head
        return String(s.prefix(head)) + "…" + String(s.suffix(tail))
    }

    /// Grouped bars of two relative-frequency series over the same bins.
    static func barChart(labels: [String], original: [Double], synthetic: [Double], width: Double = 360, height: Double = 190,
                         seriesNames: (String, String) = ("original", "synthetic")) -> String {
        let left = 34.0, right = 6.0, top = 8.0, bottom = 52.0
        let plotW = width - left - right, plotH = height - top - bottom
        let maxY = max(original.max() ?? 0, synthetic.max() ?? 0, 1e-9)
        let n = max(labels.count, 1)
        let slot = plotW / Double(n), bar = max(1, slot * 0.38)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(width))\" height=\"\(number(height))\" viewBox=\"0 0 \(number(width)) \(number(height))\" role=\"img\">"
        // Axis and grid.
        for g in 0...2 {
            let y = top + plotH - plotH * Double(g) / 2
            s += "<line x1=\"\(number(left))\" y1=\"\(number(y))\" x2=\"\(number(width - right))\" y2=\"\(number(y))\" stroke=\"#e5e7eb\"/>"
            s += "<text x=\"\(number(left - 3))\" y=\"\(number(y + 3))\" font-size=\"8\" text-anchor=\"end\" fill=\"#6b7280\">\(Int((maxY * Double(g) / 2 * 100).rounded()))%</text>"
        }
        for i in 0..<labels.count {
            let x0 = left + slot * Double(i) + slot / 2
            let ho = plotH * (i < original.count ? original[i] : 0) / maxY
            let hs = plotH * (i < synthetic.count ? synthetic[i] : 0) / maxY
            let tip = "\(escape(labels[i])): \(seriesNames.0) \(percent(i < original.count ? original[i] : 0)), \(seriesNames.1) \(percent(i < synthetic.count ? synthetic[i] : 0))"
            s += "<g><title>\(tip)</title>"
            s += "<rect x=\"\(number(x0 - bar))\" y=\"\(number(top + plotH - ho))\" width=\"\(number(bar))\" height=\"\(number(ho))\" fill=\"\(originalColor)\"/>"
            s += "<rect x=\"\(number(x0))\" y=\"\(number(top + plotH - hs))\" width=\"\(number(bar))\" height=\"\(number(hs))\" fill=\"\(syntheticColor)\"/></g>"
            let lx = x0, ly = top + plotH + 6
            s += "<text x=\"\(number(lx))\" y=\"\(number(ly))\" font-size=\"8\" fill=\"#374151\" text-anchor=\"end\" transform=\"rotate(-40 \(number(lx)) \(number(ly)))\">\(escape(shorten(labels[i], 12)))</text>"
        }
        s += "</svg>"
        return s
    }

    /// A square matrix of accuracies as coloured cells (white at ≤ `low`, deep blue at 1).
    static func heatmap(names: [String], values: [[Double?]], low: Double = 0.8) -> String {
        let n = names.count
        let cell = n > 0 ? max(10, min(34, 520 / Double(n))) : 20
        let labelW = 130.0, labelH = 110.0
        let size = labelW + cell * Double(n) + 10
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(size))\" height=\"\(number(labelH + cell * Double(n) + 10))\" role=\"img\">"
        for (i, name) in names.enumerated() {
            let y = labelH + cell * Double(i) + cell / 2 + 3
            s += "<text x=\"\(number(labelW - 4))\" y=\"\(number(y))\" font-size=\"9\" text-anchor=\"end\" fill=\"#374151\">\(escape(shorten(name, 22)))</text>"
            let x = labelW + cell * Double(i) + cell / 2 + 3
            s += "<text x=\"\(number(x))\" y=\"\(number(labelH - 4))\" font-size=\"9\" fill=\"#374151\" transform=\"rotate(-60 \(number(x)) \(number(labelH - 4)))\">\(escape(shorten(name, 22)))</text>"
        }
        for i in 0..<n {
            for j in 0..<n {
                guard let v = values[i][j] else { continue }
                let t = max(0, min(1, (v - low) / (1 - low)))
                let color = blend(t)
                let x = labelW + cell * Double(j), y = labelH + cell * Double(i)
                s += "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(cell - 1))\" height=\"\(number(cell - 1))\" fill=\"\(color)\"><title>\(escape(names[i])) × \(escape(names[j])): \(percent(v))</title></rect>"
                if cell >= 24 {
                    s += "<text x=\"\(number(x + cell / 2))\" y=\"\(number(y + cell / 2 + 3))\" font-size=\"8\" text-anchor=\"middle\" fill=\"\(t > 0.6 ? "#ffffff" : "#111827")\">\(Int((v * 100).rounded()))</text>"
                }
            }
        }
        s += "</svg>"
        return s
    }

    /// Overlaid histograms of two or three distance samples on shared bins.
    static func histogram(series: [(name: String, color: String, values: [Float])], bins: Int = 50, width: Double = 760, height: Double = 240) -> String {
        let all = series.flatMap(\.values)
        let hi = Double(all.max() ?? 1), lo = 0.0
        let span = max(hi - lo, 1e-9)
        let left = 40.0, right = 10.0, top = 10.0, bottom = 34.0
        let plotW = width - left - right, plotH = height - top - bottom
        let shares: [[Double]] = series.map { sr in
            var c = [Double](repeating: 0, count: bins)
            for v in sr.values { c[min(bins - 1, max(0, Int((Double(v) - lo) / span * Double(bins))))] += 1 }
            return c.map { $0 / Double(max(1, sr.values.count)) }
        }
        let maxY = max(shares.flatMap { $0 }.max() ?? 0, 1e-9)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(width))\" height=\"\(number(height))\" role=\"img\">"
        for g in 0...2 {
            let y = top + plotH - plotH * Double(g) / 2
            s += "<line x1=\"\(number(left))\" y1=\"\(number(y))\" x2=\"\(number(width - right))\" y2=\"\(number(y))\" stroke=\"#e5e7eb\"/>"
            s += "<text x=\"\(number(left - 3))\" y=\"\(number(y + 3))\" font-size=\"9\" text-anchor=\"end\" fill=\"#6b7280\">\(Int((maxY * Double(g) / 2 * 100).rounded()))%</text>"
        }
        for k in 0...4 {
            let x = left + plotW * Double(k) / 4
            s += "<text x=\"\(number(x))\" y=\"\(number(top + plotH + 14))\" font-size=\"9\" text-anchor=\"middle\" fill=\"#6b7280\">\(format3(lo + span * Double(k) / 4))</text>"
        }
        s += "<text x=\"\(number(left + plotW / 2))\" y=\"\(number(height - 4))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#374151\">distance to closest record</text>"
        let barW = plotW / Double(bins)
        for (k, sr) in series.enumerated() {
            var path = "M\(number(left)),\(number(top + plotH))"
            for b in 0..<bins {
                let y = top + plotH - plotH * shares[k][b] / maxY
                path += " L\(number(left + barW * Double(b))),\(number(y)) L\(number(left + barW * Double(b + 1))),\(number(y))"
            }
            path += " L\(number(left + plotW)),\(number(top + plotH)) Z"
            s += "<path d=\"\(path)\" fill=\"\(sr.color)\" fill-opacity=\"0.18\" stroke=\"\(sr.color)\" stroke-width=\"1.5\"><title>\(escape(sr.name))</title></path>"
        }
        for (k, sr) in series.enumerated() {
            let x = width - right - 150, y = top + 12 + Double(k) * 14
            s += "<rect x=\"\(number(x))\" y=\"\(number(y - 8))\" width=\"10\" height=\"10\" fill=\"\(sr.color)\"/><text x=\"\(number(x + 14))\" y=\"\(number(y + 1))\" font-size=\"10\" fill=\"#374151\">\(escape(sr.name))</text>"
        }
        s += "</svg>"
        return s
    }

    static func percent(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return String(Double(Int((x * 1000).rounded())) / 10) + "%"
    }

    static func format3(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let r = (x * 1000).rounded() / 1000
        var t = String(r)
        if let dot = t.firstIndex(of: ".") {
            let decimals = t.distance(from: dot, to: t.endIndex) - 1
            if decimals < 3 { t += String(repeating: "0", count: 3 - decimals) }
        }
        return t
    }

    /// Colour between #f5f6ff (t = 0) and #3d4fff (t = 1).
    static func blend(_ t: Double) -> String {
        let a = (0xF5, 0xF6, 0xFF), b = (0x3D, 0x4F, 0xFF)
        func mix(_ x: Int, _ y: Int) -> Int { Int((Double(x) + (Double(y) - Double(x)) * t).rounded()) }
        return "#" + [mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2)].map { hex2($0) }.joined()
    }

    static func hex2(_ v: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[(v >> 4) & 15], digits[v & 15]])
    }
}
