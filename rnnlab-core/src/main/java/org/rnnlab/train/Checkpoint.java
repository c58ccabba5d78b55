package org.rnnlab.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnlab.io.NpyArray;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.model.State;
import org.rnnlab.text.Vocabulary;

/**
 * A training checkpoint: one rnnlab model file ({@link ModelFiles}, safetensors) that also holds everything needed
 * to continue the run exactly, so any command that reads models reads checkpoints.
 * <pre>
 *   tensors   model.*                  the weights (PyTorch state_dict names), float32
 *             optimizer.&lt;buffer&gt;       the optimizer's state (exp_avg, exp_avg_sq, momentum_buffer, ...), (P) float32
 *             state.h, state.c         stream mode: the recurrent state carried into the next batch, (L, B, H)
 *   metadata  format, format_version, config, vocabulary      (every rnnlab model file)
 *             checkpoint                "last" or "best"
 *             run                       the run's random id: a run's folder holds only its own run's files
 *             train_config              {@link TrainConfig} as JSON
 *             train_state               {@link TrainState} as JSON: step, epoch, optimizer name, hyper-parameters,
 *                                       steps and lr, schedule state, batcher position, Rng states, best and
 *                                       early-stopping counters, the data's fingerprint
 *             metrics                   the {@link MetricsHistory} as a JSON array of rows
 * </pre>
 * Written atomically (temporary file, then rename), so a run killed while saving leaves the previous file whole.
 *
 * @param kind "last" or "best"
 * @param run  the run's id (null in checkpoints written before runs had one)
 */
public record Checkpoint(Path source, String kind, String run, CharModel model, Vocabulary vocabulary, TrainConfig config,
                         TrainState state, MetricsHistory history, Map<String, float[]> optimizerBuffers,
                         State carried) {
    public static final String LAST = ModelFiles.RUN_LAST;
    public static final String BEST = ModelFiles.RUN_BEST;
    public static final String METRICS_CSV = "metrics.csv";
    static final String OPTIMIZER_PREFIX = "optimizer.";

    /** Writes a checkpoint of the given parts (the trainer calls this with its live state). */
    static void write(Path path, String kind, String run, CharModel model, Vocabulary vocabulary, TrainConfig config,
                      TrainState state, MetricsHistory history, Map<String, float[]> optimizerBuffers,
                      State carried) throws IOException {
        Map<String, NpyArray> tensors = new LinkedHashMap<>();
        optimizerBuffers.forEach((name, b) -> tensors.put(OPTIMIZER_PREFIX + name, NpyArray.ofFloats(b.clone(),
                new int[] {b.length})));
        if (carried != null) {
            int[] shape = {carried.layers(), carried.batch(), carried.hidden()};
            tensors.put("state.h", NpyArray.ofFloats(carried.hTensor(), shape));
            if (carried.hasCell()) tensors.put("state.c", NpyArray.ofFloats(carried.cTensor(), shape));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("checkpoint", kind);
        meta.put(RunFolder.RUN_KEY, run);
        meta.put("train_config", config.toJson());
        meta.put("train_state", state.toJson());
        meta.put("metrics", history.toJson());
        ModelFiles.save(path, model, vocabulary, tensors, meta);
    }

    /**
     * Reads a checkpoint that {@code rnnlab train} wrote. A model file without training state, a PyTorch file or
     * anything else is an error saying what {@code --resume} needs.
     */
    public static Checkpoint read(Path path) throws IOException {
        ModelFiles.Loaded loaded = ModelFiles.load(path, ModelFiles.Hints.NONE);
        if (loaded.format() != ModelFiles.Format.RNNLAB || !loaded.metadata().containsKey("train_state")) {
            throw new IllegalArgumentException(path + " is a model without training state; resuming needs a "
                    + "checkpoint written by rnnlab train (last.safetensors or best.safetensors in its --out folder)");
        }
        Map<String, String> meta = loaded.metadata();
        TrainConfig config;
        TrainState state;
        MetricsHistory history;
        try {
            config = TrainConfig.fromJson(meta.get("train_config"));
            state = TrainState.fromJson(meta.get("train_state"));
            history = MetricsHistory.fromJson(meta.getOrDefault("metrics", "[]"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
        Map<String, float[]> buffers = new LinkedHashMap<>();
        State carried = null;
        NpyArray h = null;
        NpyArray c = null;
        for (Map.Entry<String, NpyArray> e : loaded.otherTensors().entrySet()) {
            String name = e.getKey();
            if (name.startsWith(OPTIMIZER_PREFIX)) buffers.put(name.substring(OPTIMIZER_PREFIX.length()), e.getValue().toFloats());
            else if (name.equals("state.h")) h = e.getValue();
            else if (name.equals("state.c")) c = e.getValue();
        }
        if (h != null) {
            int[] s = h.shape();
            if (s.length != 3) throw new IllegalArgumentException(path + ": state.h should be (L, B, H), found rank " + s.length);
            carried = State.fromTensors(h.toFloats(), c == null ? null : c.toFloats(), s[0], s[1], s[2]);
        }
        return new Checkpoint(path, meta.getOrDefault("checkpoint", "last"), meta.get(RunFolder.RUN_KEY), loaded.model(), loaded.vocabulary(),
                config, state, history, buffers, carried);
    }
}
