package org.rnnlab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Safetensors;
import org.rnnlab.io.torch.TorchStateDict;
import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.text.Vocabulary;
import org.rnnlab.util.Messages;

/**
 * Model files in and out. Two formats:
 * <ul>
 *   <li>rnnlab's own: one safetensors file holding the weights as {@code model.<state_dict name>} and, in its
 *       metadata, {@code format = rnnlab}, {@code format_version}, the {@code config} as JSON and the
 *       {@code vocabulary} (its characters in index order). A training checkpoint is the same file with more in
 *       it (optimizer state, progress, history): anything that reads models reads checkpoints. A quantized model
 *       ({@link CharModel#quantizeInt8()}) is format version 2 with {@code quantization = int8}: each int8 matrix
 *       is an I8 tensor {@code model.<name>} of the float one's shape plus its row scales, F32
 *       {@code model.<name>.scale} (rows); the embedding and biases stay F32.</li>
 *   <li>PyTorch's {@code torch.save(model.state_dict())} in the notebook's layout. A state_dict holds neither the
 *       vocabulary nor the RNN nonlinearity, so the caller supplies both.</li>
 * </ul>
 * The format is recognised from the file's first bytes, not its name.
 */
public final class ModelFiles {
    public static final String FORMAT = "rnnlab";
    public static final String FORMAT_VERSION = "1";
    /**
     * The version of a file with int8 weights (metadata {@code quantization = int8}): readers of version 1 refuse it
     * by its version (and by its I8 tensors) rather than misread it. Float files stay version 1.
     */
    public static final String QUANTIZED_FORMAT_VERSION = "2";
    /** The metadata key, and its one value, of a quantized file. */
    public static final String QUANTIZATION = "quantization";
    public static final String INT8 = "int8";
    /** Suffix of the name of an int8 matrix's row scales: {@code model.lstm.weight_hh_l0.scale}, F32 (rows). */
    public static final String SCALE_SUFFIX = ".scale";
    /** Tensor-name prefix of the weights inside an rnnlab file. */
    public static final String MODEL_PREFIX = "model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {}

    /** A model with its vocabulary, and everything else its file held (for checkpoints). */
    public record Loaded(CharModel model, Vocabulary vocabulary, Path source, Format format,
                         Map<String, NpyArray> otherTensors, Map<String, String> metadata) {}

    public enum Format { RNNLAB, PYTORCH }

    /**
     * What the caller knows that a PyTorch state_dict does not record.
     *
     * @param vocabulary   the model's characters in index order, or {@code null} (required for a .pt file; for an
     *                     rnnlab file, a given vocabulary must equal the stored one)
     * @param nonlinearity tanh or relu, for an RNN from a .pt file (PyTorch's default is tanh)
     */
    public record Hints(Vocabulary vocabulary, Nonlinearity nonlinearity) {
        public static final Hints NONE = new Hints(null, Nonlinearity.TANH);
    }

    /** A training run's checkpoint with the best validation loss, and its latest one, in the run's folder. */
    public static final String RUN_BEST = "best.safetensors";
    public static final String RUN_LAST = "last.safetensors";

    /**
     * The model file that {@code path} names: the path itself, or for a training run's folder its
     * {@value #RUN_BEST}, else its {@value #RUN_LAST}.
     *
     * @throws IllegalArgumentException when there is no such file, or the folder holds neither checkpoint
     */
    public static Path resolve(Path path) {
        if (Files.isDirectory(path)) {
            for (String name : new String[] {RUN_BEST, RUN_LAST}) {
                Path file = path.resolve(name);
                if (Files.isRegularFile(file)) return file;
            }
            throw new IllegalArgumentException(path + " is a folder without " + RUN_BEST + " or " + RUN_LAST
                    + ": give a model file or a training run's folder");
        }
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException(path + ": no such file");
        return path;
    }

    /** Which format a file is in, from its first bytes; a clear error for anything else. */
    public static Format detect(Path path) throws IOException {
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file", e);
        }
        if (n >= 2 && head[0] == 'P' && head[1] == 'K') return Format.PYTORCH;
        if (n == 9 && head[8] == '{') return Format.RNNLAB;
        throw new IllegalArgumentException(path + ": not a model file: expected an rnnlab checkpoint (safetensors) "
                + "or a PyTorch state_dict saved with torch.save (zip)");
    }

    public static Loaded load(Path path, Hints hints) throws IOException {
        return switch (detect(path)) {
            case PYTORCH -> loadPyTorch(path, hints);
            case RNNLAB -> loadRnnlab(path, hints);
        };
    }

    private static Loaded loadPyTorch(Path path, Hints hints) throws IOException {
        if (hints.vocabulary() == null) {
            throw new IllegalArgumentException(path + " is a PyTorch state_dict, which does not record its vocabulary: "
                    + "give --vocab-from CORPUS (the notebook's sorted(set(text))) or --vocab CHARACTERS");
        }
        Map<String, NpyArray> stateDict = TorchStateDict.read(path);
        checkFinite(path, stateDict);
        CharModel model;
        try {
            model = CharModel.fromStateDict(stateDict, hints.nonlinearity());
        } catch (IllegalArgumentException e) {
            throw inFile(path, e);
        }
        checkVocabularySize(path, model, hints.vocabulary());
        return new Loaded(model, hints.vocabulary(), path, Format.PYTORCH, Map.of(), Map.of());
    }

    private static Loaded loadRnnlab(Path path, Hints hints) throws IOException {
        Safetensors.Contents c = Safetensors.read(path);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IllegalArgumentException(path + ": a safetensors file but not an rnnlab model (its metadata has no "
                    + "format = rnnlab); rnnlab reads its own checkpoints and PyTorch .pt state_dicts");
        }
        String version = meta.get("format_version");
        if (!FORMAT_VERSION.equals(version) && !QUANTIZED_FORMAT_VERSION.equals(version)) {
            throw new IllegalArgumentException(path + ": rnnlab model format version "
                    + (version == null ? null : Messages.escapeControls(version))
                    + ", this rnnlab reads versions " + FORMAT_VERSION + " and " + QUANTIZED_FORMAT_VERSION + "; upgrade rnnlab");
        }
        boolean quantized = QUANTIZED_FORMAT_VERSION.equals(version);
        String quantization = meta.get(QUANTIZATION);
        if (quantized && !INT8.equals(quantization)) {
            throw new IllegalArgumentException(path + ": a quantized rnnlab model (format version " + version + ") with "
                    + QUANTIZATION + " " + (quantization == null ? "missing" : "'" + Messages.escapeControls(quantization) + "'")
                    + "; this rnnlab reads " + QUANTIZATION + " = " + INT8);
        }
        if (!quantized && quantization != null) {
            throw new IllegalArgumentException(path + ": " + QUANTIZATION + " '" + Messages.escapeControls(quantization)
                    + "' in a model of format version " + version + ", which has no quantized tensors (quantized files "
                    + "are version " + QUANTIZED_FORMAT_VERSION + ")");
        }
        ModelConfig config = configFromJson(path, meta.get("config"));
        String chars = meta.get("vocabulary");
        if (chars == null) throw new IllegalArgumentException(path + ": no vocabulary in its metadata");
        Vocabulary vocabulary;
        try {
            vocabulary = Vocabulary.literal(chars);
        } catch (IllegalArgumentException e) { // a character twice, or none
            throw inFile(path, e);
        }
        if (hints.vocabulary() != null && !hints.vocabulary().equals(vocabulary)) {
            throw new IllegalArgumentException(path + " was trained with the vocabulary \"" + vocabulary.display()
                    + "\"; the one given differs (leave out --vocab/--vocab-from for rnnlab checkpoints)");
        }
        Map<String, NpyArray> weights = new LinkedHashMap<>();
        Map<String, NpyArray> others = new LinkedHashMap<>();
        c.tensors().forEach((name, t) -> {
            if (name.startsWith(MODEL_PREFIX)) weights.put(name.substring(MODEL_PREFIX.length()), t);
            else others.put(name, t);
        });
        Map<String, Int8Matrix> int8 = quantized ? int8Weights(path, weights, config) : Map.of(); // scales checked here
        checkFinite(path, weights);
        CharModel model;
        try {
            model = int8.isEmpty() ? CharModel.fromStateDict(weights, config)
                    : CharModel.fromInt8(weights, int8, config, org.rnnlab.kernel.Kernel.preferred());
        } catch (IllegalArgumentException e) {
            throw inFile(path, e);
        }
        checkVocabularySize(path, model, vocabulary);
        return new Loaded(model, vocabulary, path, Format.RNNLAB, others, meta);
    }

    /**
     * Takes the int8 matrices of a quantized file out of {@code weights} (state_dict names, without
     * {@code model.}): each I8 tensor, which must be one of {@link CharModel#quantizable} with two dimensions, and
     * its F32 row scales {@code <name>.scale} (rows), every one finite and positive. Errors name the tensor.
     */
    private static Map<String, Int8Matrix> int8Weights(Path path, Map<String, NpyArray> weights, ModelConfig config) {
        Map<String, Int8Matrix> int8 = new LinkedHashMap<>();
        java.util.List<String> allowed = CharModel.quantizable(config);
        for (Map.Entry<String, NpyArray> e : new java.util.ArrayList<>(weights.entrySet())) {
            String name = e.getKey();
            NpyArray a = e.getValue();
            if (!a.dtype().equals("|i1")) continue;
            String shown = MODEL_PREFIX + Messages.escapeControls(name);
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(path + ": " + shown + " is int8, but only " + String.join(", ",
                        allowed.stream().map(n -> MODEL_PREFIX + n).toList()) + " may be");
            }
            int[] shape = a.shape();
            if (shape.length != 2) {
                throw new IllegalArgumentException(path + ": " + shown + " is an int8 tensor of shape "
                        + Arrays.toString(shape) + "; an int8 matrix has two dimensions (rows, columns)");
            }
            NpyArray scales = weights.get(name + SCALE_SUFFIX);
            String scaleName = shown + SCALE_SUFFIX;
            if (scales == null) {
                throw new IllegalArgumentException(path + ": " + shown + " is int8 but the file has no " + scaleName
                        + ", its row scales (F32, " + shape[0] + ")");
            }
            if (!scales.dtype().equals("<f4") || scales.shape().length != 1 || scales.shape()[0] != shape[0]) {
                throw new IllegalArgumentException(path + ": " + scaleName + " should be F32 of shape [" + shape[0]
                        + "] (a scale per row of " + shown + "), found " + scales.dtype() + " " + Arrays.toString(scales.shape()));
            }
            try {
                int8.put(name, Int8Matrix.of(shape[0], shape[1], a.data(), scales.toFloats()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(path + ": " + scaleName + ": " + ex.getMessage(), ex);
            }
            weights.remove(name);
            weights.remove(name + SCALE_SUFFIX);
        }
        for (String name : weights.keySet()) {
            if (name.endsWith(SCALE_SUFFIX) && allowed.contains(name.substring(0, name.length() - SCALE_SUFFIX.length()))) {
                throw new IllegalArgumentException(path + ": " + MODEL_PREFIX + name + " holds row scales, but "
                        + MODEL_PREFIX + name.substring(0, name.length() - SCALE_SUFFIX.length()) + " is not int8");
            }
        }
        if (int8.isEmpty()) {
            throw new IllegalArgumentException(path + ": a quantized rnnlab model (" + QUANTIZATION + " = " + INT8
                    + ") without int8 tensors");
        }
        return int8;
    }

    /**
     * A problem of the model a file holds, naming the file. The message may quote the file's tensor names, whose
     * control characters are escaped so that it stays one line.
     */
    private static IllegalArgumentException inFile(Path path, IllegalArgumentException e) {
        return new IllegalArgumentException(path + ": " + Messages.escapeControls(e.getMessage()), e);
    }

    private static final VarHandle FLOAT_BITS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle DOUBLE_BITS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Refuses weights holding NaN or an infinity, naming the tensor and the first such element: a model that
     * diverged in training, whose every output would be NaN. One pass over the float bits (a model of 10M floats
     * takes milliseconds); integer tensors are skipped.
     */
    static void checkFinite(Path path, Map<String, NpyArray> weights) {
        for (Map.Entry<String, NpyArray> e : weights.entrySet()) {
            NpyArray a = e.getValue();
            byte[] data = a.data();
            long bad = 0;
            int first = -1;
            double value = 0;
            if (a.dtype().equals("<f4")) {
                for (int i = 0; i + 4 <= data.length; i += 4) {
                    int bits = (int) FLOAT_BITS.get(data, i);
                    if ((bits & 0x7f800000) == 0x7f800000) { // exponent all ones: an infinity or NaN
                        if (bad++ == 0) {
                            first = i / 4;
                            value = Float.intBitsToFloat(bits);
                        }
                    }
                }
            } else if (a.dtype().equals("<f8")) {
                for (int i = 0; i + 8 <= data.length; i += 8) {
                    long bits = (long) DOUBLE_BITS.get(data, i);
                    if ((bits & 0x7ff0000000000000L) == 0x7ff0000000000000L) {
                        if (bad++ == 0) {
                            first = i / 8;
                            value = Double.longBitsToDouble(bits);
                        }
                    }
                }
            }
            if (bad > 0) {
                throw new IllegalArgumentException(path + ": " + e.getKey() + " holds " + value + " at "
                        + index(a.shape(), first) + " (non-finite: " + bad + " of its " + a.size() + " values): the"
                        + " training run that wrote it diverged; load an earlier checkpoint or retrain (a lower learning"
                        + " rate, gradient clipping)");
            }
        }
    }

    /** The C-order index of flat element {@code flat} of an array of this shape, as {@code [3, 17]}. */
    private static String index(int[] shape, int flat) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) { // no dimension is 0: the array has an element
            at[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Arrays.toString(at);
    }

    private static void checkVocabularySize(Path path, CharModel model, Vocabulary vocabulary) {
        int rows = model.config().vocab();
        if (vocabulary.size() != rows) {
            throw new IllegalArgumentException(path + ": the vocabulary has " + vocabulary.size() + " characters but "
                    + "embedding.weight has " + rows + " rows; use the vocabulary of the text the model was trained on");
        }
    }

    /**
     * Writes an rnnlab model file (atomically): the weights, config and vocabulary, plus any extra tensors (names
     * must not start with {@code model.}) and metadata a checkpoint adds.
     */
    public static void save(Path path, CharModel model, Vocabulary vocabulary,
                            Map<String, NpyArray> extraTensors, Map<String, String> extraMetadata) throws IOException {
        if (vocabulary.size() != model.config().vocab()) {
            throw new IllegalArgumentException("vocabulary of " + vocabulary.size() + " characters for a model of V = "
                    + model.config().vocab());
        }
        Map<String, NpyArray> tensors = new LinkedHashMap<>();
        Map<String, Int8Matrix> int8 = model.int8Weights();
        model.stateDict().forEach((name, t) -> {
            Int8Matrix q = int8.get(name);
            if (q == null) {
                tensors.put(MODEL_PREFIX + name, t);
            } else {
                tensors.put(MODEL_PREFIX + name, NpyArray.ofBytes(q.values(), q.rows(), q.cols()));
                tensors.put(MODEL_PREFIX + name + SCALE_SUFFIX, NpyArray.ofFloats(q.scales(), q.rows()));
            }
        });
        extraTensors.forEach((name, t) -> {
            if (name.startsWith(MODEL_PREFIX) || tensors.put(name, t) != null) {
                throw new IllegalArgumentException("extra tensor name '" + name + "' clashes with the model's");
            }
        });
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", int8.isEmpty() ? FORMAT_VERSION : QUANTIZED_FORMAT_VERSION);
        if (!int8.isEmpty()) meta.put(QUANTIZATION, INT8);
        meta.put("config", configToJson(model.config()));
        meta.put("vocabulary", vocabulary.asString());
        extraMetadata.forEach((k, v) -> {
            if (meta.containsKey(k)) throw new IllegalArgumentException("metadata key '" + k + "' is reserved");
            meta.put(k, v);
        });
        Safetensors.write(path, tensors, meta);
    }

    public static void save(Path path, CharModel model, Vocabulary vocabulary) throws IOException {
        save(path, model, vocabulary, Map.of(), Map.of());
    }

    /** Writes the weights as a PyTorch state_dict that the notebook's model classes load. */
    public static void exportPyTorch(Path path, CharModel model) throws IOException {
        TorchStateDict.write(path, model.stateDict());
    }

    public static String configToJson(ModelConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("cell", c.cell().id());
        o.put("vocab", c.vocab());
        o.put("embed", c.embed());
        o.put("hidden", c.hidden());
        o.put("layers", c.layers());
        o.put("dropout", c.dropout());
        return o.toString();
    }

    public static ModelConfig configFromJson(Path source, String json) {
        if (json == null) throw new IllegalArgumentException(source + ": no model config in its metadata");
        try {
            JsonNode o = JSON.readTree(json);
            return new ModelConfig(CellType.parse(o.path("cell").asText()), o.path("vocab").asInt(),
                    o.path("embed").asInt(), o.path("hidden").asInt(), o.path("layers").asInt(),
                    o.path("dropout").asDouble());
        } catch (IOException | IllegalArgumentException e) {
            // Jackson's own message continues on a second line with its location: its first line is the problem
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException(source + ": unreadable model config " + Messages.escapeControls(json) + ": "
                    + Messages.escapeControls(String.valueOf(why)), e);
        }
    }
}
