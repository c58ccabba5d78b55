package org.rnnlab.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the kernels know of the machine: its CPU's name and the per-core data caches, read once from Linux's
 * {@code /proc/cpuinfo} and {@code /sys/devices/system/cpu/cpu0/cache} (elsewhere, or when they cannot be read:
 * the name from {@code os.arch} and caches of 32 KiB and 1 MiB, the smallest of current x86 and ARM cores). The
 * blocked product's block sizes come from the caches ({@link #blocking}); every benchmark line records the host.
 */
public final class Host {
    /** The first core's L1 data and L2 cache sizes, in bytes. */
    public record Caches(long l1d, long l2) {}

    private static final Caches CACHES = readCaches(Path.of("/sys/devices/system/cpu/cpu0/cache"));
    private static final String CPU = readCpu(Path.of("/proc/cpuinfo"));

    private Host() {}

    public static Caches caches() {
        return CACHES;
    }

    /** The CPU's model name, e.g. {@code Intel(R) Xeon(R) Processor}. */
    public static String cpu() {
        return CPU;
    }

    /** The CPU, its float lanes, caches and processors in a line, for benchmark records. */
    public static String describe() {
        return String.format(Locale.ROOT, "%s, %d processors, L1d %d KiB, L2 %d KiB", CPU,
                Runtime.getRuntime().availableProcessors(), CACHES.l1d() >> 10, CACHES.l2() >> 10);
    }

    /**
     * The blocked product's depth KC and width NC for micro-panels {@code nr} floats wide, from the caches, as the
     * BLIS analytic model places them: a KC x NR panel of B, streamed through the micro-kernel once per sliver
     * of A, fills two thirds of L1 (the rest is A's sliver and C's tile); a KC x NC block of B fills L2, so it is
     * read from L2 while the slivers of A pass by. KC is a multiple of 16 in [64, 1024], NC of {@code nr} in
     * [nr, 8192]. On this project's machine (L1d 48 KiB, L2 2 MiB, 16 lanes) that is KC 256 and NC 2048, the
     * constants measured best there before this rule existed.
     */
    static int[] blocking(Caches c, int nr) {
        long kc = c.l1d() * 2 / 3 / (4L * nr);
        kc = Math.max(64, Math.min(1024, kc / 16 * 16));
        long nc = c.l2() / (4 * kc);
        nc = Math.max(nr, Math.min(8192, nc / nr * nr));
        return new int[] {(int) kc, (int) nc};
    }

    static Caches readCaches(Path dir) {
        long l1 = 0, l2 = 0;
        for (int i = 0; i < 8; i++) {
            Path d = dir.resolve("index" + i);
            try {
                String level = read(d.resolve("level")), type = read(d.resolve("type"));
                long size = parseSize(read(d.resolve("size")));
                if (level.equals("1") && type.equals("Data")) l1 = size;
                if (level.equals("2") && (type.equals("Unified") || type.equals("Data"))) l2 = size;
            } catch (IOException | RuntimeException e) {
                // absent or unreadable: the defaults below
            }
        }
        return new Caches(l1 >= 4096 ? l1 : 32 << 10, l2 >= 65536 ? l2 : 1 << 20);
    }

    /** {@code 48K}, {@code 2048K}, {@code 1M} or a plain byte count. */
    static long parseSize(String s) {
        s = s.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("K")) unit = 1 << 10;
        else if (s.endsWith("M")) unit = 1 << 20;
        else if (s.endsWith("G")) unit = 1L << 30;
        if (unit != 1) s = s.substring(0, s.length() - 1);
        return Long.parseLong(s.trim()) * unit;
    }

    static String readCpu(Path cpuinfo) {
        try {
            List<String> lines = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8);
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
                    String name = line.substring(colon + 1).trim().replaceAll("\\s+", " ");
                    if (!name.isEmpty()) return name;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable
        }
        return System.getProperty("os.arch", "unknown CPU");
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8).trim();
    }
}
