package org.rnnlab.io.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rnnlab.io.torch.TorchStateDictReadTest.fixture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad and hostile files: each refused with an IllegalArgumentException (bad input: the CLI's exit 2) that names the
 * file, the problem and the way out; only a file that cannot be read at all is an IOException.
 */
class TorchStateDictErrorsTest {
    @TempDir
    Path dir;

    private Path copy(String fixture) throws IOException {
        return Files.copy(fixture(fixture), dir.resolve(fixture));
    }

    @Test
    void refusesOsSystemNamingTheGlobal() throws IOException {
        Path evil = copy("evil_os_system.pt");
        assertThatThrownBy(() -> TorchStateDict.read(evil)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(evil + ": refuses pickle global 'os system' (data.pkl byte 2)")
                .hasMessageContaining("rnnlab loads only tensors (state_dict)");
    }

    @Test
    void refusesAReduceGadgetHiddenAfterAValidTensor() throws IOException {
        Path evil = copy("evil_reduce.pt");
        assertThatThrownBy(() -> TorchStateDict.read(evil)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(evil + ": refuses pickle global 'posix system'");
    }

    @Test
    void refusesAnyOtherGlobalAndUnsupportedStorageTypes() throws IOException {
        Path builtins = Zips.checkpoint(dir.resolve("eval.pt"), pickle("\u0080\u0002cbuiltins\neval\n."));
        assertThatThrownBy(() -> TorchStateDict.read(builtins)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refuses pickle global 'builtins eval'");
        // torch.nn.Parameter, by its class rather than _rebuild_parameter, is still a global we do not resolve.
        Path cls = Zips.checkpoint(dir.resolve("cls.pt"), pickle("\u0080\u0002ctorch.nn.parameter\nParameter\n."));
        assertThatThrownBy(() -> TorchStateDict.read(cls)).hasMessageContaining("refuses pickle global 'torch.nn.parameter Parameter'");
        // STACK_GLOBAL (protocol 4) goes through the same allowlist.
        Path stacked = Zips.checkpoint(dir.resolve("stacked.pt"), pickle("\u0080\u0004\u008c\u0002os\u008c\u0006system\u0093."));
        assertThatThrownBy(() -> TorchStateDict.read(stacked)).hasMessageContaining("refuses pickle global 'os system' (data.pkl byte 14)");
        Path shorts = Zips.checkpoint(dir.resolve("short.pt"), pickle("\u0080\u0002ctorch\nShortStorage\n."));
        assertThatThrownBy(() -> TorchStateDict.read(shorts)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(shorts + ": tensor storage type 'torch ShortStorage' (data.pkl byte 2) is not supported")
                .hasMessageContaining("rnnlab reads float32, float64, float16, bfloat16, int64, int32, uint8, bool tensors");
    }

    @Test
    void namesAnUnknownOpcodeAndItsOffset() throws IOException {
        // PROTO 2, MARK, then INST: the protocol 0 way to instantiate a class.
        Path inst = Zips.checkpoint(dir.resolve("inst.pt"), pickle("\u0080\u0002(ios\nsystem\n."));
        assertThatThrownBy(() -> TorchStateDict.read(inst)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(inst + ": data.pkl byte 3: unsupported pickle opcode 0x69 (INST); rnnlab reads only the "
                        + "opcodes torch.save uses for a state_dict");
        Path garbage = Zips.checkpoint(dir.resolve("garbage.pt"), new byte[] {(byte) 0x80, 2, (byte) 0xff});
        assertThatThrownBy(() -> TorchStateDict.read(garbage)).hasMessageContaining("byte 2: unsupported pickle opcode 0xff (not a pickle opcode)");
    }

    @Test
    void refusesTheLegacyFormatAndFilesThatAreNoZip() throws IOException {
        Path legacy = copy("legacy.pt");
        assertThatThrownBy(() -> TorchStateDict.read(legacy)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(legacy + ": not a PyTorch zip checkpoint; legacy pre-1.6 torch.save format is not supported, "
                        + "re-save with torch>=1.6");
        Path text = Files.writeString(dir.resolve("notes.pt"), "embedding.weight 1 2 3");
        assertThatThrownBy(() -> TorchStateDict.read(text)).hasMessageStartingWith(text + ": not a PyTorch zip checkpoint");
        Path empty = Files.write(dir.resolve("empty.pt"), new byte[0]);
        assertThatThrownBy(() -> TorchStateDict.read(empty)).hasMessageStartingWith(empty + ": the file is empty; not a PyTorch zip");
        assertThatThrownBy(() -> TorchStateDict.read(dir.resolve("absent.pt"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void refusesATruncatedZip() throws IOException {
        byte[] whole = Files.readAllBytes(fixture("lstm_l2.pt"));
        for (int length : new int[] {4, 100, whole.length / 2, whole.length - 1}) {
            Path cut = Files.write(dir.resolve("cut" + length + ".pt"), Arrays.copyOf(whole, length));
            assertThatThrownBy(() -> TorchStateDict.read(cut)).as("cut at %d", length)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(cut + ": truncated or corrupt zip")
                    .hasMessageEndingWith("the checkpoint is incomplete, copy or save it again");
        }
    }

    /**
     * A zip with bytes after its end record, whose comment length then points past the file: the JDK's ZipFile throws
     * an EOFException (no ZipException, and no message), which was an I/O failure of exit 1 (found by the fuzzer).
     */
    @Test
    void refusesAZipWhoseEndRecordsCommentRunsPastTheFile() throws IOException {
        Path good = dir.resolve("good.pt"); // rnnlab's own writing: no zip64 records before the end record
        TorchStateDict.write(good, TorchStateDict.read(fixture("rnn_l1.pt")));
        byte[] whole = Files.readAllBytes(good);
        byte[] padded = Arrays.copyOf(whole, whole.length + 100);
        int end = whole.length - 22; // the end record, which has no comment
        assertThat(Zips.u32(padded, end)).isEqualTo(0x06054b50L);
        padded[end + 20] = (byte) 0xe8; // comment length 1000
        padded[end + 21] = 0x03;
        Path odd = Files.write(dir.resolve("comment.pt"), padded);
        assertThatThrownBy(() -> TorchStateDict.read(odd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(odd + ": truncated or corrupt zip (it ends before a part its index points to); the checkpoint"
                        + " is incomplete, copy or save it again");
    }

    /**
     * A record's comment that is not UTF-8: the JDK reads names and comments as UTF-8 only when it makes an entry, and
     * threw its bare IllegalArgumentException, without the file (found by the fuzzer: a comment length made to cover
     * the next header).
     */
    @Test
    void refusesARecordCommentThatIsNotUtf8() throws IOException {
        Path good = dir.resolve("good.pt");
        try (java.io.OutputStream file = Files.newOutputStream(good);
             java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(file)) {
            for (String name : new String[] {"x/data.pkl", "x/data/0"}) {
                java.util.zip.ZipEntry e = new java.util.zip.ZipEntry(name);
                if (name.endsWith("0")) e.setComment("~~"); // ASCII, so the zip does not flag it as UTF-8 ...
                zip.putNextEntry(e);
                zip.write(name.endsWith("pkl") ? oneView(1, 0, 1, 1) : new byte[4]);
                zip.closeEntry();
            }
        }
        byte[] zip = Files.readAllBytes(good);
        int patched = 0;
        for (int i = 0; i + 1 < zip.length; i++) {
            if (zip[i] == '~' && zip[i + 1] == '~') { // ... then C3 41: a lead byte without its continuation
                zip[i] = (byte) 0xc3;
                zip[i + 1] = 'A';
                patched++;
            }
        }
        assertThat(patched).as("the comment, in the central directory only").isEqualTo(1);
        Path bad = Files.write(dir.resolve("comment.pt"), zip);
        // JDK 17 fails when it makes the entry; newer JDKs check comments as they open the zip
        assertThatThrownBy(() -> TorchStateDict.read(bad)).isInstanceOf(IllegalArgumentException.class)
                .message().satisfiesAnyOf(
                        m -> assertThat(m).startsWith(bad + ": the zip names or describes a record in bytes that are not"
                                + " UTF-8 (").endsWith("); the checkpoint is corrupt"),
                        m -> assertThat(m).isEqualTo(bad + ": truncated or corrupt zip (invalid CEN header (bad entry name"
                                + " or comment)); the checkpoint is incomplete, copy or save it again"));
    }

    @Test
    void refusesAZipWithoutDataPkl() throws IOException {
        Path npz = Files.copy(fixture("rnn_l1.npz"), dir.resolve("weights.pt"));
        assertThatThrownBy(() -> TorchStateDict.read(npz))
                .hasMessage(npz + ": no <folder>/data.pkl record, so not a torch.save checkpoint (the zip holds "
                        + "embedding.weight.npy, rnn.weight_ih_l0.npy, rnn.weight_hh_l0.npy, rnn.bias_ih_l0.npy, rnn.bias_hh_l0.npy, ...)");
    }

    @Test
    void refusesAMissingOrShortStorageRecord() throws IOException {
        LinkedHashMap<String, byte[]> records = Zips.records(fixture("rnn_l1.pt"));
        assertThat(records).containsKeys("rnn_l1/data.pkl", "rnn_l1/data/2", "rnn_l1/version");

        LinkedHashMap<String, byte[]> missing = new LinkedHashMap<>(records);
        missing.remove("rnn_l1/data/2");
        Path noRecord = Zips.write(dir.resolve("missing.pt"), missing);
        assertThatThrownBy(() -> TorchStateDict.read(noRecord)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(noRecord + ": record rnn_l1/data/2 (tensor 'rnn.weight_hh_l0') is missing; the checkpoint is "
                        + "incomplete or corrupt");

        LinkedHashMap<String, byte[]> shortened = new LinkedHashMap<>(records);
        shortened.put("rnn_l1/data/2", Arrays.copyOf(records.get("rnn_l1/data/2"), 96));
        Path shortRecord = Zips.write(dir.resolve("short.pt"), shortened);
        assertThatThrownBy(() -> TorchStateDict.read(shortRecord))
                .hasMessage(shortRecord + ": storage record rnn_l1/data/2 holds 96 bytes, but tensor 'rnn.weight_hh_l0' needs "
                        + "25 float32 elements (100 bytes); the checkpoint is truncated or corrupt");
    }

    @Test
    void refusesAViewReachingPastItsStorage() throws IOException {
        // 7 elements in storage '0', offset 3, size (5,): elements 3..7, one past the end.
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("x/data.pkl", oneView(7, 3, 5, 1));
        records.put("x/data/0", new byte[28]);
        Path past = Zips.write(dir.resolve("past.pt"), records);
        assertThatThrownBy(() -> TorchStateDict.read(past))
                .hasMessage(past + ": tensor 'w' (offset 3, size [5], stride [1]) reaches element 7 of storage x/data/0, "
                        + "which has 7; the checkpoint is corrupt");
        records.put("x/data.pkl", oneView(7, 2, 5, 1));
        assertThat(TorchStateDict.read(Zips.write(dir.resolve("fits.pt"), records)).get("w").shape()).containsExactly(5);
    }

    @Test
    void refusesAViewOrRecordThatWouldUnpackToMoreThanTheBudget() throws IOException {
        // One stored float, viewed with stride 0 as 1,000,000 of them (4 MB from a file of a few hundred bytes).
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("x/data.pkl", oneView(1, 0, 1_000_000, 0));
        records.put("x/data/0", new byte[] {0, 0, (byte) 0x80, 0x3f});
        Path repeated = Zips.write(dir.resolve("repeated.pt"), records);
        assertThatThrownBy(() -> TorchStateDict.read(repeated, 1 << 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(repeated + ": tensor 'w' (size [1000000], stride [0]) repeats 1 stored element as 1000000"
                        + " (3.8 MB), and the file would unpack to more than the 1.0 MB this JVM may use for it; the"
                        + " checkpoint is corrupt or hostile, or Java needs more memory (RNNLAB_JAVA_OPTS=-Xmx2g)");
        float[] ones = TorchStateDict.read(repeated, 8 << 20).get("w").toFloats();
        assertThat(ones).hasSize(1_000_000).containsOnly(1f);

        records.put("x/data/0", new byte[4 << 20]);
        Path big = Zips.write(dir.resolve("big.pt"), records);
        assertThatThrownBy(() -> TorchStateDict.read(big, 1 << 20))
                .hasMessageStartingWith(big + ": record x/data/0 unpacks to 4.0 MB, and the file would unpack to more");
    }

    @Test
    void refusesACorruptedStoredRecord() throws IOException {
        Path good = dir.resolve("good.pt");
        TorchStateDict.write(good, TorchStateDict.read(fixture("rnn_l1.pt")));
        byte[] bytes = Files.readAllBytes(good);
        Zips.Local data0 = Zips.localHeaders(bytes).stream().filter(l -> l.name().equals("archive/data/0")).findFirst().orElseThrow();
        bytes[(int) data0.dataOffset() + 5] ^= 0x40;
        Path flipped = Files.write(dir.resolve("flipped.pt"), bytes);
        assertThatThrownBy(() -> TorchStateDict.read(flipped)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(flipped + ": record archive/data/0 fails its CRC check; the checkpoint is corrupt");
    }

    @Test
    void refusesValuesThatAreNotTensors() throws IOException {
        Path notTensor = copy("not_tensor.pt");
        assertThatThrownBy(() -> TorchStateDict.read(notTensor)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(notTensor + ": value of 'lr' is a float, not a tensor: rnnlab reads state_dicts (names to tensors)");
        Path checkpoint = copy("checkpoint.pt");
        assertThatThrownBy(() -> TorchStateDict.read(checkpoint))
                .hasMessageStartingWith(checkpoint + ": value of 'model' is a collections.OrderedDict, not a tensor")
                .hasMessageEndingWith("(a training checkpoint? save its state_dict alone, e.g. torch.save(checkpoint['model'], path))");
        Path list = Zips.checkpoint(dir.resolve("list.pt"), pickle("\u0080\u0002]K\u0001a."));
        assertThatThrownBy(() -> TorchStateDict.read(list))
                .hasMessage(list + ": holds a list, not a state_dict (a dict of names to tensors); save model.state_dict()");
        Path intKey = Zips.checkpoint(dir.resolve("intkey.pt"), pickle("\u0080\u0002}K\u0001K\u0002s."));
        assertThatThrownBy(() -> TorchStateDict.read(intKey)).hasMessage(intKey + ": has a key of type int; state_dict keys are strings");
    }

    @Test
    void refusesAnUnknownByteOrder() throws IOException {
        LinkedHashMap<String, byte[]> records = Zips.records(fixture("rnn_l1.pt"));
        records.put("rnn_l1/byteorder", "middle".getBytes());
        Path odd = Zips.write(dir.resolve("odd.pt"), records);
        assertThatThrownBy(() -> TorchStateDict.read(odd)).hasMessage(odd + ": unknown byteorder record 'middle' (torch writes little or big)");
    }

    /** A record damaged inside its deflated bytes, in a zip whose index is whole, is bad input too. */
    @Test
    void refusesARecordDamagedInsideItsCompressedBytes() throws IOException {
        Path good = Zips.write(dir.resolve("good.pt"), Zips.records(fixture("rnn_l1.pt")));
        byte[] bytes = Files.readAllBytes(good);
        Zips.Local pkl = Zips.localHeaders(bytes).stream().filter(l -> l.name().equals("rnn_l1/data.pkl")).findFirst().orElseThrow();
        for (int i = 0; i < 16; i++) bytes[(int) pkl.dataOffset() + 40 + i] ^= (byte) 0xa5;
        Path damaged = Files.write(dir.resolve("damaged.pt"), bytes);
        assertThatThrownBy(() -> TorchStateDict.read(damaged)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(damaged + ": record rnn_l1/data.pkl ");
    }

    /**
     * The pickle bomb: a list pushed from the memo again and again ({@code ]q\0 ( h\0 h\0 ... e}, list.extend of
     * itself) costs 2 bytes per push, and a zip deflates the repetition a thousandfold, so a 1 MB .pt builds a
     * billion values. Refused as soon as it passes the bound, whose count names the byte.
     */
    @Test
    void refusesAPickleThatBuildsTooManyValuesQuickly() throws IOException {
        int pushes = 1_500_000; // 3 MB of pickle, under the record limit, over the values limit
        StringBuilder p = new StringBuilder("\u0080\u0002]q\u0000(");
        p.append("h\u0000".repeat(pushes)).append("e.");
        Path bomb = Zips.checkpoint(dir.resolve("bomb.pt"), pickle(p.toString()));
        assertThat(Files.size(bomb)).isLessThan(100_000);
        long start = System.nanoTime();
        assertThatThrownBy(() -> TorchStateDict.read(bomb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(bomb + ": data.pkl byte 2000000: the pickle builds more than 1000000 values (a state_dict's "
                        + "builds about 40 per tensor), so it is not a state_dict rnnlab reads: the file is corrupt or hostile");
        assertThat((System.nanoTime() - start) / 1e9).as("seconds to refuse").isLessThan(2);
    }

    /** The same bomb at the size reported (a .pt of 0.6-1.6 MB: 22-27 s, then OutOfMemoryError): never unpacked. */
    @Test
    void refusesAPickleRecordThatUnpacksToHundredsOfMegabytesUnread() throws IOException {
        Path bomb = dir.resolve("big_bomb.pt");
        byte[] chunk = pickle("h\u0000".repeat(1 << 19)); // 1 MB
        int chunks = 640; // a 640 MB data.pkl, deflated to 0.65 MB
        try (java.io.OutputStream file = Files.newOutputStream(bomb);
             java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(file)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("x/data.pkl"));
            zip.write(pickle("\u0080\u0002]q\u0000("));
            for (int i = 0; i < chunks; i++) zip.write(chunk);
            zip.write(pickle("e."));
            zip.closeEntry();
            zip.putNextEntry(new java.util.zip.ZipEntry("x/version"));
            zip.write("3\n".getBytes());
            zip.closeEntry();
        }
        assertThat(Files.size(bomb)).as("bytes of .pt").isBetween(600_000L, 1_600_000L);
        long start = System.nanoTime();
        assertThatThrownBy(() -> TorchStateDict.read(bomb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(bomb + ": record x/data.pkl unpacks to 640.0 MB; a state_dict's pickle takes about 100 bytes"
                        + " per tensor and rnnlab reads pickles up to 16.0 MB: the file is corrupt or hostile");
        assertThat((System.nanoTime() - start) / 1e9).as("seconds to refuse").isLessThan(2);
    }

    /**
     * A dict key hashes through all it holds: a tuple of two copies (from the memo) of a tuple of two copies of ...,
     * 40 deep, takes 2^40 steps to hash, and a list holding itself never ends. Keys are refused unless scalars.
     */
    @Test
    void refusesDictKeysThatAreNotStringsOrNumbers() throws IOException {
        StringBuilder p = new StringBuilder("\u0080\u0002})q\u0000");
        for (int i = 0; i < 40; i++) p.append('h').append((char) i).append("\u0086q").append((char) (i + 1)); // (T, T)
        p.append("K\u0001s.");
        Path deep = Zips.checkpoint(dir.resolve("deep.pt"), pickle(p.toString()));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () ->
                assertThatThrownBy(() -> TorchStateDict.read(deep)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage(deep + ": data.pkl byte 208: a dict key is a tuple; rnnlab reads dicts keyed by strings"
                                + " and numbers (a state_dict)"));
        Path itself = Zips.checkpoint(dir.resolve("itself.pt"), pickle("\u0080\u0002}]q\u0000h\u0000aK\u0001s."));
        assertThatThrownBy(() -> TorchStateDict.read(itself)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(itself + ": data.pkl byte 11: a dict key is a list; rnnlab reads dicts keyed by strings and "
                        + "numbers (a state_dict)");
    }

    /**
     * Names and strings in an error come from the file: their control characters are escaped, so that the error stays
     * one plain line (a line break, then an ESC, in a refused global's name was the fuzzer's first finding).
     */
    @Test
    void escapesTheControlCharactersOfTheFilesNamesInItsErrors() throws IOException {
        Path global = Zips.checkpoint(dir.resolve("global.pt"),
                pickle("\u0080\u0004\u008c\u0009os\nsystem\u008c\u0001\u001b\u0093."));
        assertThatThrownBy(() -> TorchStateDict.read(global)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(global + ": refuses pickle global 'os\\nsystem \\x1b' (data.pkl byte 16): rnnlab loads only"
                        + " tensors (state_dict), never code or other objects");
        Path key = Zips.checkpoint(dir.resolve("key.pt"), pickle("\u0080\u0002}X\u0003\u0000\u0000\u0000a\rbK\u0001s."));
        assertThatThrownBy(() -> TorchStateDict.read(key))
                .hasMessage(key + ": value of 'a\\rb' is a int, not a tensor: rnnlab reads state_dicts (names to tensors)");
        // U+0085 (NEL, a C1 control) as UTF-8, in a string that is no persistent id
        Path pid = Zips.checkpoint(dir.resolve("pid.pt"), pickle("\u0080\u0002X\u0003\u0000\u0000\u0000a\u00c2\u0085Q."));
        assertThatThrownBy(() -> TorchStateDict.read(pid)).hasMessageStartingWith(pid + ": data.pkl byte 10: persistent id"
                + " str 'a\\x85' is not a tensor storage");
    }

    /**
     * A state_dict pickle of one float32 tensor 'w': a 1-D view (offset, size, stride) of storage '0' of
     * {@code numel} elements, as torch.save writes it (protocol 2).
     */
    static byte[] oneView(int numel, int offset, int size, int stride) {
        return pickle("\u0080\u0002ccollections\nOrderedDict\n)RX\u0001\u0000\u0000\u0000w"
                + "ctorch._utils\n_rebuild_tensor_v2\n((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\n"
                + "X\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpu" + binInt(numel) + "tQ" + binInt(offset)
                + binInt(size) + "\u0085" + binInt(stride) + "\u0085\u0089ccollections\nOrderedDict\n)RtRs.");
    }

    /** A non-negative int as pickle writes it: BININT1 (K) under 256, else BININT (J, 4 bytes little-endian). */
    private static String binInt(int v) {
        if (v < 256) return "K" + (char) v;
        return "J" + (char) (v & 0xff) + (char) (v >>> 8 & 0xff) + (char) (v >>> 16 & 0xff) + (char) (v >>> 24);
    }

    static byte[] pickle(String chars) {
        return chars.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
