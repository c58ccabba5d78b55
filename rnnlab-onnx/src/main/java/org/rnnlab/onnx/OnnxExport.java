package org.rnnlab.onnx;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.rnnlab.io.AtomicFiles;
import org.rnnlab.io.NpyArray;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.onnx.proto.OnnxProto.AttributeProto;
import org.rnnlab.onnx.proto.OnnxProto.GraphProto;
import org.rnnlab.onnx.proto.OnnxProto.ModelProto;
import org.rnnlab.onnx.proto.OnnxProto.NodeProto;
import org.rnnlab.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.rnnlab.onnx.proto.OnnxProto.StringStringEntryProto;
import org.rnnlab.onnx.proto.OnnxProto.TensorProto;
import org.rnnlab.onnx.proto.OnnxProto.TensorShapeProto;
import org.rnnlab.onnx.proto.OnnxProto.TypeProto;
import org.rnnlab.onnx.proto.OnnxProto.ValueInfoProto;
import org.rnnlab.text.Vocabulary;

/**
 * A character model as an ONNX model that computes what {@link CharModel} computes in evaluation mode, written
 * with the protobuf classes generated from ONNX's {@code onnx.proto}. The graph, time-major as ONNX's recurrent
 * operators are (T sequence length, B batch, both dynamic):
 * <pre>
 *   tokens (T, B) int64 -> Gather(embedding.weight) -> L recurrent layers -> MatMul(fc.weight^T) + fc.bias -> logits (T, B, V)
 *                                                                                      logits -> LogSoftmax -> log_probs (T, B, V)
 *   h_0 (L, B, H) -> Split: layer l starts from h_0[l]; the layers' final h -> Concat -> h_n (L, B, H)
 *   c_0, c_n likewise, for an LSTM only
 * </pre>
 * Each recurrent layer is ONNX's own RNN, LSTM or GRU operator. Their equations are PyTorch's, which rnnlab's are,
 * once the gate blocks of the weights are put in ONNX's order: the LSTM's {@code i f g o} become {@code i o f c}
 * (c is PyTorch's g), the GRU's {@code r z n} become {@code z r h}, with {@code linear_before_reset = 1} so that
 * r multiplies {@code W_hn h + b_hn} as in PyTorch's n; a vanilla RNN says its activation, Tanh or Relu. ONNX's
 * bias {@code B} is {@code [Wb, Rb]}: PyTorch's {@code b_ih} then {@code b_hh}, reordered alike. Dropout acts in
 * training only, so the graph has none. Nothing rnnlab computes falls outside these operators; what is refused
 * is size: a model whose weights pass 2 GiB, which one protobuf message cannot hold ({@link #requireExportable}).
 *
 * <p>The file describes itself: {@code metadata_props} holds {@code vocabulary} (the characters in index order:
 * token id i is the i-th code point), {@code vocabulary_code_points} (the same as decimal numbers, for runtimes that
 * mangle characters beyond U+FFFF in metadata strings, as ONNX Runtime's Java API 1.22 does: it decodes them as
 * JNI's modified UTF-8) and {@code config} (the JSON of an rnnlab model file), and every input and output has a doc
 * string. Opset {@value #OPSET}, IR version {@value #IR_VERSION}: what ONNX 1.12 defines, so its
 * checker (Debian's python3-onnx, {@code tools/check_onnx.py}) and every current runtime read the file.
 */
public final class OnnxExport {
    /** The ONNX operator set the graph uses (ONNX 1.12, the one Debian's python3-onnx has). */
    public static final int OPSET = 17;
    /** The ONNX IR version of opset 17. */
    public static final int IR_VERSION = 8;
    /** Graph inputs and outputs (the state ones with PyTorch's names for the initial and final state). */
    public static final String TOKENS = "tokens", H0 = "h_0", C0 = "c_0", LOGITS = "logits", LOG_PROBS = "log_probs",
            HN = "h_n", CN = "c_n";
    /** Protobuf serialises no message of 2 GiB or more; 1 MiB of it is left for the graph and the metadata. */
    static final long MAX_WEIGHT_BYTES = Integer.MAX_VALUE - (1L << 20);

    private OnnxExport() {}

    /** Writes {@link #toModel} to {@code path} atomically (a temporary file beside it, then a rename). */
    public static void write(Path path, CharModel model, Vocabulary vocabulary) throws IOException {
        ModelProto proto = toModel(model, vocabulary);
        AtomicFiles.write(path, proto::writeTo);
    }

    /**
     * The ONNX model of {@code model}, with {@code vocabulary} (its characters in index order) in the metadata.
     *
     * @throws IllegalArgumentException when the vocabulary does not fit the model or the model is too large for one
     *                                  ONNX file ({@link #requireExportable})
     */
    public static ModelProto toModel(CharModel model, Vocabulary vocabulary) {
        ModelConfig c = model.config();
        requireExportable(c);
        if (vocabulary.size() != c.vocab()) {
            throw new IllegalArgumentException("vocabulary of " + vocabulary.size() + " characters for a model of V = "
                    + c.vocab());
        }
        String version = OnnxExport.class.getPackage().getImplementationVersion();
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("rnnlab")
                .setProducerVersion(version == null ? "development" : version)
                .setDocString("rnnlab character model: " + c.cell().id() + " V " + c.vocab() + " E " + c.embed() + " H "
                        + c.hidden() + " L " + c.layers() + ". Feed token ids (T, B) and the state; the output state "
                        + "h_n (and c_n) is the next call's h_0 (c_0), so generation carries it step by step.")
                .addMetadataProps(entry("vocabulary", vocabulary.asString()))
                .addMetadataProps(entry("vocabulary_code_points", vocabulary.asString().codePoints()
                        .mapToObj(Integer::toString).collect(Collectors.joining(" "))))
                .addMetadataProps(entry("config", ModelFiles.configToJson(c)))
                .setGraph(graph(model))
                .build();
    }

    /**
     * Refuses, in one line, a model that one ONNX file cannot hold: protobuf serialises no message of 2 GiB or more,
     * and rnnlab does not write ONNX's external-data files.
     */
    static void requireExportable(ModelConfig c) {
        long bytes = 4 * c.parameterCount();
        if (bytes > MAX_WEIGHT_BYTES) {
            throw new IllegalArgumentException("a model of " + c.parameterCount() + " parameters has " + bytes
                    + " bytes of float32 weights, more than one ONNX file holds (protobuf's 2 GiB; rnnlab does not write "
                    + "ONNX external data)");
        }
    }

    private static GraphProto graph(CharModel model) {
        ModelConfig c = model.config();
        CellType cell = c.cell();
        int V = c.vocab(), E = c.embed(), H = c.hidden(), L = c.layers(), G = cell.gates() * H;
        boolean lstm = cell.hasCell();
        Map<String, NpyArray> sd = model.stateDict();
        String m = cell.moduleName();
        GraphProto.Builder g = GraphProto.newBuilder().setName("rnnlab_" + cell.id());

        g.addInput(value(TOKENS, TensorProto.DataType.INT64, "token ids (T, B), time-major: id i is the i-th character of "
                + "the vocabulary in the metadata", "T", "B"));
        g.addInput(value(H0, TensorProto.DataType.FLOAT, "initial hidden state (L, B, H); zeros to start a text", L, "B", H));
        if (lstm) g.addInput(value(C0, TensorProto.DataType.FLOAT, "initial cell state (L, B, H); zeros to start a text",
                L, "B", H));
        g.addOutput(value(LOGITS, TensorProto.DataType.FLOAT, "scores (T, B, V) of the token after each input token",
                "T", "B", V));
        g.addOutput(value(LOG_PROBS, TensorProto.DataType.FLOAT, "log-probabilities (T, B, V) of the token after each "
                + "input token: log_softmax(logits)", "T", "B", V));
        g.addOutput(value(HN, TensorProto.DataType.FLOAT, "hidden state (L, B, H) after the last token", L, "B", H));
        if (lstm) g.addOutput(value(CN, TensorProto.DataType.FLOAT, "cell state (L, B, H) after the last token", L, "B", H));

        g.addInitializer(floats("embedding.weight", sd.get("embedding.weight").toFloats(), V, E));
        g.addNode(node("Gather", List.of("embedding.weight", TOKENS), List.of("embedded")).addAttribute(attr("axis", 0)));

        // Layer l's initial state is h_0[l:l+1], (1, B, H): ONNX's (num_directions, batch, hidden).
        List<String> h0s = splitNames(H0, L), c0s = lstm ? splitNames(C0, L) : List.of();
        g.addNode(node("Split", List.of(H0), h0s).addAttribute(attr("axis", 0)));
        if (lstm) g.addNode(node("Split", List.of(C0), c0s).addAttribute(attr("axis", 0)));
        g.addInitializer(longs("axis_1", new long[] {1}, 1));

        int[] order = onnxGateOrder(cell);
        String x = "embedded";
        List<String> hns = new ArrayList<>(), cns = new ArrayList<>();
        for (int k = 0; k < L; k++) {
            int in = k == 0 ? E : H;
            String w = m + ".W_l" + k, r = m + ".R_l" + k, b = m + ".B_l" + k;
            g.addInitializer(floats(w, reorder(sd.get(m + ".weight_ih_l" + k).toFloats(), order, H * in), 1, G, in));
            g.addInitializer(floats(r, reorder(sd.get(m + ".weight_hh_l" + k).toFloats(), order, H * H), 1, G, H));
            float[] bias = new float[2 * G];   // [Wb, Rb] = [b_ih, b_hh]
            System.arraycopy(reorder(sd.get(m + ".bias_ih_l" + k).toFloats(), order, H), 0, bias, 0, G);
            System.arraycopy(reorder(sd.get(m + ".bias_hh_l" + k).toFloats(), order, H), 0, bias, G, G);
            g.addInitializer(floats(b, bias, 1, 2 * G));

            String y = "layer" + k + ".Y", hn = "layer" + k + ".Y_h", cn = "layer" + k + ".Y_c";
            List<String> inputs = new ArrayList<>(List.of(x, w, r, b, "", h0s.get(k)));   // "": no sequence_lens
            List<String> outputs = new ArrayList<>(List.of(y, hn));
            if (lstm) {
                inputs.add(c0s.get(k));
                outputs.add(cn);
            }
            NodeProto.Builder op = node(switch (cell) {
                case RNN_TANH, RNN_RELU -> "RNN";
                case LSTM -> "LSTM";
                case GRU -> "GRU";
            }, inputs, outputs).addAttribute(attr("hidden_size", H));
            if (cell == CellType.RNN_TANH) op.addAttribute(attr("activations", "Tanh"));
            if (cell == CellType.RNN_RELU) op.addAttribute(attr("activations", "Relu"));
            if (cell == CellType.GRU) op.addAttribute(attr("linear_before_reset", 1));
            g.addNode(op.setName(m + "_l" + k));
            hns.add(hn);
            if (lstm) cns.add(cn);
            // Y is (T, num_directions = 1, B, H); the next layer and the output layer read (T, B, H)
            x = "layer" + k + ".out";
            g.addNode(node("Squeeze", List.of(y, "axis_1"), List.of(x)));
        }
        g.addNode(node("Concat", hns, List.of(HN)).addAttribute(attr("axis", 0)));
        if (lstm) g.addNode(node("Concat", cns, List.of(CN)).addAttribute(attr("axis", 0)));

        g.addInitializer(floats("fc.weight_t", transpose(sd.get("fc.weight").toFloats(), V, H), H, V));
        g.addInitializer(floats("fc.bias", sd.get("fc.bias").toFloats(), V));
        g.addNode(node("MatMul", List.of(x, "fc.weight_t"), List.of("fc.product")));
        g.addNode(node("Add", List.of("fc.product", "fc.bias"), List.of(LOGITS)));
        g.addNode(node("LogSoftmax", List.of(LOGITS), List.of(LOG_PROBS)).addAttribute(attr("axis", -1)));
        return g.build();
    }

    /** ONNX's gate blocks as PyTorch's: ONNX block j holds PyTorch block {@code order[j]}. */
    static int[] onnxGateOrder(CellType cell) {
        return switch (cell) {
            case LSTM -> new int[] {0, 3, 1, 2};   // i f g o -> i o f c
            case GRU -> new int[] {1, 0, 2};       // r z n -> z r h
            case RNN_TANH, RNN_RELU -> new int[] {0};
        };
    }

    /** Consecutive blocks of {@code block} values, permuted: block j of the result is block {@code order[j]}. */
    private static float[] reorder(float[] values, int[] order, int block) {
        float[] out = new float[values.length];
        for (int j = 0; j < order.length; j++) System.arraycopy(values, order[j] * block, out, j * block, block);
        return out;
    }

    /** (cols, rows) from (rows, cols), row-major. */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        }
        return t;
    }

    private static List<String> splitNames(String name, int layers) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < layers; k++) names.add(name + ".l" + k);
        return names;
    }

    private static NodeProto.Builder node(String op, List<String> inputs, List<String> outputs) {
        return NodeProto.newBuilder().setOpType(op).addAllInput(inputs).addAllOutput(outputs);
    }

    private static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto attr(String name, String... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) a.addStrings(ByteString.copyFromUtf8(v));
        return a.build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** A tensor's type and shape; each dimension an Integer (fixed) or a String (a named dynamic one). */
    private static ValueInfoProto value(String name, TensorProto.DataType type, String doc, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer n) dim.setDimValue(n);
            else dim.setDimParam((String) d);
            shape.addDim(dim);
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setDocString(doc)
                .setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    /** A float32 initializer; raw_data is ONNX's little-endian packing of the values. */
    private static TensorProto floats(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addAllDims(dimList(dims)).setRawData(ByteString.copyFrom(bytes.array())).build();
    }

    private static TensorProto longs(String name, long[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                .addAllDims(dimList(dims));
        for (long v : values) t.addInt64Data(v);
        return t.build();
    }

    private static List<Long> dimList(long[] dims) {
        List<Long> list = new ArrayList<>();
        for (long d : dims) list.add(d);
        return list;
    }
}
