/// Renders a ``QualityReport`` as one self-contained HTML page: inline CSS and SVG only, no
/// scripts, no fonts or images from the network, so it opens the same offline and in any
/// browser.
public enum HTMLReport {
    /// Names of the files that were compared, shown in the header.
    public struct Sources: Sendable {
        public var training: String
        public var synthetic: String
        public var holdout: String?

        public init(training: String, synthetic: String, holdout: String? = nil) {
            self.training = training
            self.synthetic = synthetic
            self.holdout = holdout
        }
    }

    public static func render(_ report: QualityReport, title: String = "Doppel quality report", sources: Sources? = nil) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        h += "<title>\(SVG.escape(title))</title><style>\(css)</style></head><body>"
        h += "<header><h1>\(SVG.escape(title))</h1>"
        h += "<p class=\"sub\">"
        if let sources {
            h += "training <code>\(SVG.escape(sources.training))</code> · synthetic <code>\(SVG.escape(sources.synthetic))</code>"
            if let hol = sources.holdout { h += " · holdout <code>\(SVG.escape(hol))</code>" }
            h += "<br>"
        }
        h += "\(report.rows.training) training, \(report.rows.holdout) holdout, \(report.rows.synthetic) synthetic rows · "
        h += "\(report.subjects.original) original and \(report.subjects.synthetic) synthetic subjects · setup \(report.setup.rawValue)</p></header>"
        h += headline(report)
        h += univariateSection(report)
        h += heatmapSection(report)
        if let coherence = report.coherence { h += coherenceSection(coherence) }
        if let privacy = report.privacy { h += privacySection(privacy) }
        h += "<footer>Accuracy follows the mostlyai-qa 1.10 definitions (1 − total variation distance of binned distributions; "
        h += "“max” is the accuracy a same-size holdout sample reaches in expectation). Distances use Doppel’s mixed-type embedding; see docs/evaluate.md.</footer>"
        h += "</body></html>\n"
        return h
    }

    static let css = """
    body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1160px;padding:18px 22px;color:#111827;background:#fff}
    h1{font-size:24px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
    .sub{color:#4b5563;font-size:13px;margin:0} code{font-size:12px;background:#f3f4f6;padding:1px 4px;border-radius:3px}
    .kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin-top:14px}
    .kpi{border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px;background:#fafafa}
    .kpi .v{font-size:24px;font-weight:600} .kpi .l{font-size:12px;color:#4b5563} .kpi .m{font-size:11px;color:#6b7280}
    .kpi.main{background:#eef2ff;border-color:#c7d2fe}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:10px}
    .card{border:1px solid #e5e7eb;border-radius:8px;padding:8px 10px 2px}
    .card h3{font-size:13px;margin:0 0 2px;display:flex;justify-content:space-between} .card h3 span{color:#16a34a;font-weight:600}
    .legend{font-size:12px;color:#374151;margin:4px 0 8px} .sw{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
    table{border-collapse:collapse;font-size:13px} td,th{border-bottom:1px solid #e5e7eb;padding:4px 10px;text-align:right} th:first-child,td:first-child{text-align:left}
    .note{font-size:12px;color:#4b5563;max-width:900px} footer{margin-top:28px;font-size:11px;color:#6b7280}
    """

    static func kpi(_ label: String, _ value: Double?, max: Double? = nil, main: Bool = false, percent: Bool = true) -> String {
        let v = value.map { percent ? SVG.percent($0) : SVG.format3($0) } ?? "–"
        var s = "<div class=\"kpi\(main ? " main" : "")\"><div class=\"l\">\(SVG.escape(label))</div><div class=\"v\">\(v)</div>"
        if let max { s += "<div class=\"m\">holdout ceiling \(percent ? SVG.percent(max) : SVG.format3(max))</div>" }
        return s + "</div>"
    }

    static func headline(_ r: QualityReport) -> String {
        let a = r.metrics.accuracy
        var s = "<section><h2>Accuracy</h2><div class=\"kpis\">"
        s += kpi("Overall accuracy", a.overall, max: a.overallMax, main: true)
        s += kpi("Univariate", a.univariate, max: a.univariateMax)
        s += kpi("Bivariate", a.bivariate, max: a.bivariateMax)
        s += kpi("Trivariate", a.trivariate, max: a.trivariateMax)
        if a.coherence != nil { s += kpi("Coherence", a.coherence, max: a.coherenceMax) }
        s += "</div>"
        if let d = r.metrics.distances {
            s += "<h2>Privacy</h2><div class=\"kpis\">"
            s += kpi("DCR share (≈ 50% is safe)", d.dcrShare, main: true)
            s += kpi("Identical matches with training", d.imsTraining)
            if let ims = d.imsHoldout { s += kpi("Identical matches with holdout", ims) }
            s += kpi("Mean DCR to training", d.dcrTraining, percent: false)
            if let dh = d.dcrHoldout { s += kpi("Mean DCR to holdout", dh, percent: false) }
            s += kpi("NNDR (10th smallest), training", d.nndrTraining, percent: false)
            if let auc = d.miaAUC { s += kpi("Membership inference AUC (≈ 0.5 is safe)", auc, percent: false) }
            s += "</div>"
        }
        return s + "</section>"
    }

    static func univariateSection(_ r: QualityReport) -> String {
        var s = "<section><h2>Univariate distributions</h2>"
        s += "<div class=\"legend\">Share of subjects per bin (bins derived from the original data):"
        s += "<span class=\"sw\" style=\"background:\(SVG.originalColor)\"></span>original<span class=\"sw\" style=\"background:\(SVG.syntheticColor)\"></span>synthetic</div><div class=\"grid\">"
        let accuracyOf = Dictionary(r.accuracy.univariates.map { ($0.column, $0.accuracy) }, uniquingKeysWith: { a, _ in a })
        for d in r.accuracy.distributions {
            // Hide bins empty on both sides (e.g. an unused "(n/a)").
            let keep = d.labels.indices.filter { d.original[$0] > 0 || d.synthetic[$0] > 0 }
            let no = Double(max(1, d.original.reduce(0, +))), ns = Double(max(1, d.synthetic.reduce(0, +)))
            let chart = SVG.barChart(labels: keep.map { d.labels[$0] }, original: keep.map { Double(d.original[$0]) / no },
                                     synthetic: keep.map { Double(d.synthetic[$0]) / ns })
            s += "<div class=\"card\"><h3>\(SVG.escape(displayName(d.column)))<span>\(accuracyOf[d.column].map(SVG.percent) ?? "")</span></h3>\(chart)</div>"
        }
        return s + "</div></section>"
    }

    static func heatmapSection(_ r: QualityReport) -> String {
        let names = r.accuracy.univariates.map(\.column)
        guard names.count >= 2 else { return "" }
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() { index[n] = i }
        var m = [[Double?]](repeating: [Double?](repeating: nil, count: names.count), count: names.count)
        for u in r.accuracy.univariates { if let i = index[u.column] { m[i][i] = u.accuracy } }
        for b in r.accuracy.bivariates where b.kind == .target {
            if let i = index[b.column1], let j = index[b.column2] { m[i][j] = b.accuracy; m[j][i] = b.accuracy }
        }
        var s = "<section><h2>Bivariate accuracy</h2><p class=\"note\">Accuracy of every pair of columns (diagonal: univariate); "
        s += "colour from white (≤ 80%) to blue (100%).</p>"
        s += SVG.heatmap(names: names.map(displayName), values: m)
        let ctx = r.accuracy.bivariates.filter { $0.kind == .context }
        if !ctx.isEmpty {
            s += "<p class=\"note\">Target × context pairs: mean accuracy \(SVG.percent(mean(ctx.map(\.accuracy)) ?? .nan)) over \(ctx.count) pairs.</p>"
        }
        return s + "</section>"
    }

    static func coherenceSection(_ c: CoherenceDetails) -> String {
        var s = "<section><h2>Sequential coherence</h2><table><tr><th>column</th><th>distinct categories per sequence</th><th>sequences per category</th></tr>"
        for (a, b) in zip(c.categoriesPerSequenceColumns, c.sequencesPerCategoryColumns) {
            s += "<tr><td>\(SVG.escape(a.column))</td><td>\(SVG.percent(a.accuracy))</td><td>\(SVG.percent(b.accuracy))</td></tr>"
        }
        return s + "</table></section>"
    }

    static func privacySection(_ p: PrivacyDetails) -> String {
        var series: [(name: String, color: String, values: [Float])] = [("synthetic → training", SVG.syntheticColor, p.dcrTraining)]
        if let h = p.dcrHoldout { series.append(("synthetic → holdout", SVG.holdoutColor, h)) }
        var s = "<section><h2>Distances to closest records</h2><p class=\"note\">For \(p.rowsCompared) synthetic rows, the distance to the closest "
        s += "training row and to the closest holdout row in the mixed-type embedding (\(p.numericEntries) numeric entries, "
        s += "\(p.categoricalColumns) one-hot coded categorical columns, rows L2-normalised). Synthetic data that does not copy its "
        s += "training data is as close to the holdout as to the training rows: both curves coincide and the DCR share is near 50%.</p>"
        s += SVG.histogram(series: series)
        return s + "</section>"
    }

    static func displayName(_ key: String) -> String {
        if key.hasPrefix("tgt::") { return String(key.dropFirst(5)) }
        if key.hasPrefix("ctx::") { return "context: " + key.dropFirst(5) }
        if key.hasPrefix("nxt::") { return "next: " + key.dropFirst(5) }
        return key
    }
}
