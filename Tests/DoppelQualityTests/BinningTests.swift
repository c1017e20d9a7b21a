import DoppelTable
import Testing
@testable import DoppelQuality

@Suite struct BinningTests {
    @Test func fewDistinctNumbersGetOneBinEach() {
        let column = MetricColumn.numeric([1, 2, 2, 3, .nan, 3, 3])
        let bins = ColumnBins(fitting: column)
        #expect(bins.labels == ["1", "2", "3", "(n/a)"])
        #expect(bins.apply(column) == [0, 1, 1, 2, 3, 2, 2])
        // Synthetic values outside the range are clipped into the first and last bin.
        #expect(bins.apply(.numeric([-5, 2.5, 99])) == [0, 1, 2])
    }

    @Test func manyNumbersGetDecileBreaksFlooredToDistinctPrecision() {
        // 0.0, 0.01, …, 9.99: linspace(0, 999, 10) picks indices 0, 111, 222, … 999, which are
        // 10 break points; 11 positions pick 0, 99, 199, …: 11 distinct breaks.
        let values = (0..<1000).map { Double($0) / 100 }
        let breaks = ColumnBins.searchBreaks(values, bins: 10)
        #expect(breaks.count == 11)
        #expect(breaks.first == 0 && breaks.last == 9.99)
        #expect(breaks[1] == 0.99)
        // Precision 0 keeps them distinct (0, 0.99 → 0 clash) fails; precision 1 floors 0.99 to 0.9.
        let floored = ColumnBins.floorBreaks(breaks)
        #expect(floored[1] == 0.9)
        #expect(floored.last == 9.99)
        let bins = ColumnBins(fitting: .numeric(values))
        #expect(bins.binCount == 11)
        // 0.95 is ≥ the floored break 0.9, so it falls into the second bin.
        #expect(bins.apply(.numeric([0.5, 0.95, 9.99, 100])) == [0, 1, 9, 9])
    }

    @Test func floorBreaksUsesFewestDecimals() {
        #expect(ColumnBins.floorBreaks([1.27, 3.91, 5.5]) == [1, 3, 5.5])
        #expect(ColumnBins.floorBreaks([1.27, 1.29, 5.5]) == [1.27, 1.29, 5.5])
        #expect(ColumnBins.floorBreaks([0.123, 0.456, 0.789]) == [0.1, 0.4, 0.789])
    }

    @Test func categoriesKeepTopTenWithAtLeastFiveOccurrences() {
        var values: [String?] = []
        for (i, name) in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"].enumerated() {
            values += [String?](repeating: name, count: 20 - i)
        }
        values += ["rare", "rare", "", "", "", "", "", nil, nil, "_RARE_"]
        let column = MetricColumn(Column.string(values))
        let bins = ColumnBins(fitting: column)
        // Top ten by count: a…j (k, l, "(empty)" with 5 rows are beyond the ten).
        #expect(bins.labels == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "(empty)", "(other)", "_RARE_", "(n/a)"])
        let codes = bins.apply(MetricColumn(Column.string(["a", "k", "", nil, "_RARE_", "new"])))
        #expect(codes == [0, 11, 10, 13, 12, 11])
    }

    @Test func rareCategoriesBelowFiveGoToOther() {
        let column = MetricColumn(Column.string(["x", "x", "x", "x", "x", "y", "y", "z"]))
        let bins = ColumnBins(fitting: column)
        #expect(bins.labels == ["x", "(empty)", "(other)", "_RARE_", "(n/a)"])
        #expect(bins.apply(column) == [0, 0, 0, 0, 0, 2, 2, 2])
    }

    @Test func timesUseSearchAndSingleValueGetsADay() {
        let day = 86_400_000_000.0
        let single = MetricColumn.temporal([5 * day, 5 * day, .nan])
        let bins = ColumnBins(fitting: single)
        #expect(bins.binCount == 2)
        #expect(bins.apply(single) == [0, 0, 1])
        let none = ColumnBins(fitting: .temporal([.nan, .nan]))
        #expect(none.binCount == 2)
        if case .breaks(let edges, _, _) = none.rule {
            #expect(edges == [Double(TemporalFormat.daysFromCivil(year: 1700, month: 1, day: 1)) * day])
        }
        let dates = MetricColumn(Column.date((0..<100).map { Int32($0) }))
        #expect(ColumnBins(fitting: dates).binCount == 11)
    }

    @Test func booleansAreNumbers() {
        let column = MetricColumn(Column.bool([true, false, nil, true]))
        #expect(column.kind == .numeric)
        #expect(ColumnBins(fitting: column).apply(column) == [1, 0, 2, 1])
    }
}

@Suite struct TimeLabelTests {
    @Test func timeLabelsUseShortestDistinctPrecision() {
        let day = 86_400_000_000.0
        let d = { (y: Int, m: Int, dd: Int) in Double(TemporalFormat.daysFromCivil(year: y, month: m, day: dd)) * day }
        #expect(ColumnBins.timeLabels([d(2020, 1, 1), d(2021, 5, 1), d(2022, 1, 1)]) == ["2020", "2021"])
        #expect(ColumnBins.timeLabels([d(2020, 1, 1), d(2020, 5, 1), d(2020, 5, 9)]) == ["2020-01-01", "2020-05-01"])
    }
}
