package org.rnnlab.io.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.testing.Resources;

/**
 * Reading {@code .pt} files that torch 1.13 wrote ({@code tools/make_pt_fixtures.py}), each compared tensor by
 * tensor, byte for byte, with the {@code .npz} numpy wrote of the same tensors.
 */
class TorchStateDictReadTest {
    static Path fixture(String name) {
        return Resources.path(TorchStateDictReadTest.class, name);
    }

    static Map<String, NpyArray> expected(String npz) throws IOException {
        return Npz.read(fixture(npz));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "rnn_l1.pt, rnn_l1.npz",
        "lstm_l2.pt, lstm_l2.npz",
        "gru_l3.pt, gru_l3.npz",
        "rnn_l2_f64.pt, rnn_l2_f64.npz",
        "lstm_l1_keep_vars.pt, lstm_l1_keep_vars.npz",
        "views.pt, views.npz",
        "dtypes.pt, dtypes.npz",
        "plain_od_lstm_l2.pt, lstm_l2.npz",
        "plain_dict.pt, plain_dict.npz",
        "rnn_l1_proto4.pt, rnn_l1.npz",
        "rnn_l1_torch2_layout.pt, rnn_l1.npz",
        "dtypes_big_endian.pt, dtypes.npz",
    })
    void readsEveryTensorExactlyAsNumpySavedIt(String pt, String npz) throws IOException {
        Map<String, NpyArray> want = expected(npz);
        Map<String, NpyArray> got = TorchStateDict.read(fixture(pt));
        assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
        for (String name : want.keySet()) {
            assertThat(got.get(name)).as(pt + " " + name).isEqualTo(want.get(name));
        }
    }

    @Test
    void readsTheNotebookLayoutWithPytorchShapesAndDtypes() throws IOException {
        Map<String, NpyArray> lstm = TorchStateDict.read(fixture("lstm_l2.pt"));
        assertThat(lstm.keySet()).containsExactly("embedding.weight",
                "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
                "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1",
                "fc.weight", "fc.bias");
        assertThat(lstm.get("lstm.weight_ih_l0").shape()).containsExactly(32, 8); // (4H, E), gates i f g o
        assertThat(lstm.get("fc.bias").shape()).containsExactly(9);
        assertThat(lstm.values()).allSatisfy(a -> assertThat(a.dtype()).isEqualTo("<f4"));

        Map<String, NpyArray> gru = TorchStateDict.read(fixture("gru_l3.pt"));
        assertThat(gru.get("gru.weight_hh_l2").shape()).containsExactly(15, 5); // (3H, H)
        assertThat(gru).containsKey("gru.bias_hh_l2").doesNotContainKey("gru.weight_ih_l3");

        assertThat(TorchStateDict.read(fixture("rnn_l2_f64.pt")).values())
                .allSatisfy(a -> assertThat(a.dtype()).isEqualTo("<f8"));
    }

    @Test
    void cutsViewsOutOfASharedStorageInCOrder() throws IOException {
        Map<String, NpyArray> v = TorchStateDict.read(fixture("views.pt"));
        float[] w = v.get("w").toFloats(); // (4, 6): 0.5 * i - 3
        for (int i = 0; i < 24; i++) assertThat(w[i]).isEqualTo(0.5f * i - 3);

        assertThat(v.get("wt").shape()).containsExactly(6, 4);
        float[] wt = v.get("wt").toFloats();
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 4; c++) assertThat(wt[r * 4 + c]).isEqualTo(w[c * 6 + r]);
        }
        assertThat(v.get("row").toFloats()).containsExactly(Arrays.copyOfRange(w, 12, 18));
        assertThat(v.get("col").toFloats()).containsExactly(w[3], w[9], w[15], w[21]);
        assertThat(v.get("slice").shape()).containsExactly(3, 3);
        assertThat(v.get("slice").toFloats()).containsExactly(w[6], w[8], w[10], w[12], w[14], w[16], w[18], w[20], w[22]);
        assertThat(v.get("tail").toFloats()).containsExactly(Arrays.copyOfRange(w, 7, 24));
        assertThat(v.get("element").shape()).isEmpty();
        assertThat(v.get("element").toFloats()).containsExactly(w[7]);
        assertThat(v.get("bcast").toFloats()).containsExactly(1.5f, -2f, 3.25f, 1.5f, -2f, 3.25f);
        assertThat(v.get("perm4d").shape()).containsExactly(5, 3, 2, 4);
        // perm4d[a][b][c][d] = base[c][b][d][a] with base = arange(120) / 7 in shape (2, 3, 4, 5)
        float[] p = v.get("perm4d").toFloats();
        assertThat(p[((4 * 3 + 2) * 2 + 1) * 4 + 3]).isEqualTo((((1 * 3 + 2) * 4 + 3) * 5 + 4) / 7f);
    }

    @Test
    void widensHalfAndBfloat16ExactlyAndKeepsOtherDtypes() throws IOException {
        Map<String, NpyArray> d = TorchStateDict.read(fixture("dtypes.pt"));
        assertThat(d.get("f16").dtype()).isEqualTo("<f4");
        float[] f16 = d.get("f16").toFloats();
        assertThat(f16).containsExactly(0f, -0f, 1f, -2.5f, 65504f, 0x1p-14f, 0x1p-24f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, 0.0999755859375f, -2.98023223876953125E-6f);
        assertThat(Float.floatToRawIntBits(f16[1])).isEqualTo(0x80000000);
        float[] bf16 = d.get("bf16").toFloats();
        assertThat(bf16[2]).isEqualTo(1f);
        assertThat(bf16[10]).isEqualTo(0.10009765625f); // 0.1 rounded to 8 significant bits
        assertThat(d.get("i32").dtype()).isEqualTo("<i4");
        assertThat(d.get("i32").toLongs()).containsExactly(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 7, 42);
        assertThat(d.get("u8").dtype()).isEqualTo("|u1");
        assertThat(d.get("u8").toLongs()).containsExactly(0, 1, 127, 128, 255);
        assertThat(d.get("bool").dtype()).isEqualTo("|b1");
        assertThat(d.get("bool").toLongs()).containsExactly(1, 0, 0, 1);
        assertThat(d.get("i64").toLongs()).containsExactly(1L << 62, -1, 0, 12345678901L);
        assertThat(d.get("empty").shape()).containsExactly(0, 3);
        assertThat(d.get("empty").data()).isEmpty();
        assertThat(d.get("f16_t").toFloats()).containsExactly(0f, 0.75f, 0.25f, 1f, 0.5f, 1.25f);
    }

    @Test
    void halfToFloatCoversEveryClassOfValue() {
        assertThat(TorchStateDict.halfToFloatBits(0x3c00)).isEqualTo(Float.floatToRawIntBits(1f));
        assertThat(TorchStateDict.halfToFloatBits(0x0001)).isEqualTo(Float.floatToRawIntBits(0x1p-24f));
        assertThat(TorchStateDict.halfToFloatBits(0x83ff)).isEqualTo(Float.floatToRawIntBits(-0x3ffp-24f));
        assertThat(TorchStateDict.halfToFloatBits(0x7bff)).isEqualTo(Float.floatToRawIntBits(65504f));
        assertThat(TorchStateDict.halfToFloatBits(0xfc00)).isEqualTo(Float.floatToRawIntBits(Float.NEGATIVE_INFINITY));
        assertThat(TorchStateDict.halfToFloatBits(0x7e00)).isEqualTo(0x7fc00000);
        // Every half converts to the float that the same bits mean (checked against a slow decoding).
        for (int h = 0; h < 0x10000; h++) {
            int exponent = h >>> 10 & 0x1f;
            if (exponent == 0x1f) continue;
            double magnitude = exponent == 0 ? (h & 0x3ff) * 0x1p-24 : (1024 + (h & 0x3ff)) * Math.pow(2, exponent - 25);
            float want = (float) ((h & 0x8000) != 0 ? -magnitude : magnitude);
            assertThat(Float.intBitsToFloat(TorchStateDict.halfToFloatBits(h))).as("half 0x%04x", h).isEqualTo(want);
        }
    }
}
