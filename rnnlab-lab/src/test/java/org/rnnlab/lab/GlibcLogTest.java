package org.rnnlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins {@link GlibcLog} to glibc 2.36's {@code log} (Debian 12, x86-64 with FMA). The expected values were printed
 * by calling libm through ctypes, with each table's first column as the arguments:
 * <pre>
 * /usr/bin/python3 -c "import ctypes, sys
 * m = ctypes.CDLL('libm.so.6'); m.log.restype = ctypes.c_double; m.log.argtypes = [ctypes.c_double]
 * for x in sys.argv[1:]: print(x, m.log(float.fromhex(x)).hex())" 0x1p0 0x1.fffffffffffffp-1 ...
 *
 * /usr/bin/python3 -c "import ctypes, struct, sys
 * m = ctypes.CDLL('libm.so.6'); m.log.restype = ctypes.c_double; m.log.argtypes = [ctypes.c_double]
 * d = lambda b: struct.unpack('=d', struct.pack('=Q', int(b, 16)))[0]
 * for b in sys.argv[1:]: print(b, hex(struct.unpack('=Q', struct.pack('=d', m.log(d(b))))[0]))" 0x0 ...
 * </pre>
 * "Math.log differs" marks inputs where {@link Math#log} (JDK 17, x86-64) is one ulp off glibc; "FMA-sensitive" marks
 * inputs where evaluating the C source without glibc's fused multiply-adds gives a different last bit.
 */
class GlibcLogTest {
    @ParameterizedTest(name = "log({0}) = {1}: {2}")
    @CsvSource(delimiter = ';', value = {
        // x close to 1: 1 - 0x1p-4 <= x < 1 + 0x1.09p-4, polynomial in x - 1
        "0x1.fffffffffffffp-1;    -0x1.0000000000000p-53;  near 1, largest double below 1",
        "0x1.0000000000001p0;     0x1.fffffffffffffp-53;   near 1, smallest double above 1",
        "0x1.ep-1;                -0x1.08598b59e3a07p-4;   near 1, lower end of the range (0.9375)",
        "0x1.108ffffffffffp0;     0x1.00c7c14184eb6p-4;    near 1, last double of the range",
        "0x1.e1c0b5e38f8a1p-1;    -0x1.f2d70b4e4fa2ap-5;   near 1, Math.log differs",
        "0x1.0fc98c2d9a69dp0;     0x1.ea3a6d20b31a4p-5;    near 1, Math.log differs",
        "0x1.e4131b1b803dbp-1;    -0x1.cb73e2394b291p-5;   near 1, FMA-sensitive",
        "0x1.0d0db7b54f64dp0;     0x1.9769e6311d78bp-5;    near 1, FMA-sensitive",
        "0x1.e2e2e3268d677p-1;    -0x1.df9681ec19878p-5;   near 1, FMA-sensitive, Math.log differs",
        "0x1.0d10305f95d6cp0;     0x1.97b524e598e1ep-5;    near 1, FMA-sensitive, Math.log differs",
        // general path: table lookup for z in [0x1.6p-1, 0x1.6p0) and 2^k
        "0x1.dffffffffffffp-1;    -0x1.08598b59e3a0fp-4;   general, just below the near-1 range",
        "0x1.109p0;               0x1.00c7c14184ec5p-4;    general, just above the near-1 range",
        "0x1p-1;                  -0x1.62e42fefa39efp-1;   general, 0.5",
        "0x1p1;                   0x1.62e42fefa39efp-1;    general, 2",
        "0x1.4p3;                 0x1.26bb1bbb55516p+1;    general, 10",
        "0x1.26ce2fd80b302p-1;    -0x1.1aa0ef672bf9dp-1;   general, Math.log differs",
        "0x1.ef91aeb712112p-2;    -0x1.73977a70a5d65p-1;   general, Math.log differs",
        "0x1.af7500be1e66ep-2;    -0x1.ba8608e3197acp-1;   general, Math.log differs",
        "0x1.12b43983e5ed1p0;     0x1.20d623b7fe4b2p-4;    general, Math.log differs",
        "0x1.b3e56c4a3a019p42;    0x1.da4f7f0494bf7p+4;    general, large, Math.log differs",
        "0x1.8b9ef2b643e6dp-87;   -0x1.def2bda066a1dp+5;   general, small, Math.log differs",
        "0x1.1dfffffffffffp-22;   -0x1.e46df7579581bp+3;   general, at a table subinterval edge, Math.log differs",
        "0x1.5bfffffffffffp-2;    -0x1.144afe99fe876p+0;   general, at a table subinterval edge, Math.log differs",
        "0x1.cbf81fd17b1a6p-1;    -0x1.b6f2aa3d0ba79p-4;   general, r2 of seed 0's randn[662], Math.log differs",
        "0x1p-1022;               -0x1.6232bdd7abcd2p+9;   general, smallest normal",
        "0x1.fffffffffffffp1023;  0x1.62e42fefa39efp+9;    general, largest double",
        // subnormal inputs: scaled by 2^52 first
        "0x0.0000000000001p-1022; -0x1.74385446d71c3p+9;   subnormal, smallest",
        "0x0.fffffffffffffp-1022; -0x1.6232bdd7abcd2p+9;   subnormal, largest",
        "0x0.8p-1022;             -0x1.628b76e3a7b61p+9;   subnormal",
        "0x0.0000123456789p-1022; -0x1.6910ad2ea4ac8p+9;   subnormal"})
    void matchesGlibcToTheBit(String x, String expected, String what) {
        double y = GlibcLog.log(Double.parseDouble(x));

        assertThat(Double.toHexString(y)).as(what).isEqualTo(Double.toHexString(Double.parseDouble(expected)));
    }

    @ParameterizedTest(name = "log(bits {0}) = bits {1}: {2}")
    @CsvSource(delimiter = ';', value = {
        "3ff0000000000000; 0000000000000000; 1 gives +0",
        "0000000000000000; fff0000000000000; +0 gives -inf",
        "8000000000000000; fff0000000000000; -0 gives -inf",
        "7ff0000000000000; 7ff0000000000000; +inf gives +inf",
        "fff0000000000000; fff8000000000000; -inf gives the default NaN",
        "bff0000000000000; fff8000000000000; -1 gives the default NaN",
        "8000000000000001; fff8000000000000; negative subnormal gives the default NaN",
        "7ff8000000000000; 7ff8000000000000; quiet NaN comes back unchanged",
        "7ff0000000000001; 7ff8000000000001; signalling NaN comes back quieted",
        "fff0000000000abc; fff8000000000abc; negative NaN keeps its sign and payload"})
    void specialValuesMatchGlibcBits(String x, String expected, String what) {
        double y = GlibcLog.log(Double.longBitsToDouble(Long.parseUnsignedLong(x, 16)));

        assertThat(Long.toHexString(Double.doubleToRawLongBits(y))).as(what)
            .isEqualTo(Long.toHexString(Long.parseUnsignedLong(expected, 16)));
    }
}
