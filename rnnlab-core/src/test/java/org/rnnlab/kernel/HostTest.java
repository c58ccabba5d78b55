package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's caches and name as Linux reports them, and the block sizes they give. */
class HostTest {
    @TempDir
    Path dir;

    private void cache(int index, String level, String type, String size) throws Exception {
        Path d = Files.createDirectories(dir.resolve("index" + index));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }

    @Test
    void readsTheDataCachesOfTheFirstCoreFromSysfs() throws Exception {
        cache(0, "1", "Data", "48K");
        cache(1, "1", "Instruction", "64K");
        cache(2, "2", "Unified", "2048K");
        cache(3, "3", "Unified", "491520K");
        assertThat(Host.readCaches(dir)).isEqualTo(new Host.Caches(48 << 10, 2 << 20));
    }

    @Test
    void missingOrDamagedEntriesFallBackToSmallCaches() throws Exception {
        assertThat(Host.readCaches(dir.resolve("absent"))).isEqualTo(new Host.Caches(32 << 10, 1 << 20));
        cache(0, "1", "Data", "forty-eight");
        cache(2, "2", "Unified", "1M");
        assertThat(Host.readCaches(dir)).isEqualTo(new Host.Caches(32 << 10, 1 << 20));
    }

    @Test
    void blocksFollowTheCaches() {
        // this project's machine: the constants measured best there (KC 256, NC 2048)
        assertThat(Host.blocking(new Host.Caches(48 << 10, 2 << 20), 32)).containsExactly(256, 2048);
        // an AVX2 core with 32 KiB L1 and 512 KiB L2 (two vectors of 8 floats per panel)
        assertThat(Host.blocking(new Host.Caches(32 << 10, 512 << 10), 16)).containsExactly(336, 384);
        // an AVX-512 core with 32 KiB L1 and 1 MiB L2
        assertThat(Host.blocking(new Host.Caches(32 << 10, 1 << 20), 32)).containsExactly(160, 1632);
        // bounds: a tiny L1 still blocks 64 deep, a huge L2 at most 8192 wide
        assertThat(Host.blocking(new Host.Caches(4 << 10, 1L << 40), 32)).containsExactly(64, 8192);
        int[] b = Host.blocking(Host.caches(), VectorGemm.NR);
        assertThat(b[0] % 16).isZero();
        assertThat(b[1] % VectorGemm.NR).isZero();
    }

    @Test
    void sizesAndTheCpuName() throws Exception {
        assertThat(Host.parseSize("48K")).isEqualTo(48 << 10);
        assertThat(Host.parseSize("2M")).isEqualTo(2 << 20);
        assertThat(Host.parseSize("1536")).isEqualTo(1536);
        Path info = dir.resolve("cpuinfo");
        Files.writeString(info, "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R)  Xeon(R) Processor\n");
        assertThat(Host.readCpu(info)).isEqualTo("Intel(R) Xeon(R) Processor");
        assertThat(Host.readCpu(dir.resolve("absent"))).isEqualTo(System.getProperty("os.arch"));
        assertThat(Host.describe()).contains(Host.cpu()).contains("processors").contains("L1d");
    }
}
