/// Decimal digits eight at a time in one 64-bit word (SWAR: SIMD within a register).
///
/// Finding the digit run: `x = word ^ 0x30…` turns digit bytes into 0…9; a byte is flagged when
/// `x` or `x + 0x76` has its high bit set, which is exactly the bytes outside 0…9. Carries of the
/// addition only travel upwards, so the lowest flag is exact. Combining the digits follows the
/// well-known three-multiplication scheme (as described by D. Lemire, "Faster integer parsing",
/// 2020): pairs of digits, then pairs of pairs, then the two halves.
enum SWARDigits {
    /// 10⁰ … 10⁸.
    static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// The number of ASCII digits at the start of the 8 bytes at `p` (8 when all are) and the
    /// value of those digits read as a decimal number.
    @inline(__always)
    static func leading(_ p: UnsafeRawPointer) -> (count: Int, value: UInt64) {
        let x = p.loadUnaligned(as: UInt64.self) ^ 0x3030_3030_3030_3030
        let outside = ((x &+ 0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080
        let n = outside == 0 ? 8 : outside.trailingZeroBitCount &>> 3
        guard n > 0 else { return (0, 0) }
        // The first byte is the most significant digit and sits lowest in the little-endian
        // word; shifting the n digits to the top leaves zeros (leading zero digits) below.
        var y = x &<< UInt64(64 &- 8 &* n)
        y = (y &* 10 &+ (y &>> 8)) & 0x00FF_00FF_00FF_00FF
        y = (y &* 100 &+ (y &>> 16)) & 0x0000_FFFF_0000_FFFF
        y = (y &* 10_000 &+ (y &>> 32)) & 0xFFFF_FFFF
        return (n, y)
    }
}
