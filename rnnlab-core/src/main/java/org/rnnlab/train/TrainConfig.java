package org.rnnlab.train;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.rnnlab.model.CellType;
import org.rnnlab.model.ModelConfig;

/**
 * Everything that defines a training run, immutable and validated on construction; a checkpoint stores it as
 * JSON ({@link #toJson}) so that a run can be resumed, and read, from its file alone. Messages name the
 * {@code rnnlab train} option of the offending value, since that is how users set them. {@link #builder()} starts
 * from the notebook's choices: LSTM, E 64, H 128, one layer, Adam 0.005, windows of 40 characters, batch 1,
 * 5 epochs.
 *
 * @param corpus      where the text comes from, as given to {@code --corpus} ({@code lab}, {@code wikitext},
 *                    a path) or {@code mix:N}; for provenance and for resuming without naming it again
 * @param val         the fraction of the text held out at its end for validation (0 for none)
 * @param test        the fraction held out after the validation part, scored once at the end (0 for none)
 * @param dropout     dropout between recurrent layers in training (PyTorch's {@code dropout=})
 * @param mode        windows (the notebook's) or stream (char-rnn's truncated BPTT with carried state)
 * @param lr          the initial learning rate
 * @param momentum    SGD's or RMSprop's momentum (0 for none)
 * @param weightDecay L2 weight decay (AdamW: decoupled)
 * @param clipNorm    clip the gradients' global L2 norm to this (0 for no clipping)
 * @param clipValue   clamp every gradient to [-v, v] (0 for no clamping)
 * @param schedule    the learning-rate schedule, stepped at every scheduled evaluation (each epoch by default)
 * @param lrDecay     the factor a schedule multiplies the rate by
 * @param lrEvery     step schedule: decay every this many evaluations
 * @param lrPatience  plateau schedule: evaluations without improvement before decaying
 * @param epochs      stop after this many epochs (0: no limit)
 * @param steps       stop after this many optimizer steps in all (0: no limit)
 * @param minutes     stop after this many minutes of this session (0: no limit)
 * @param evalEvery   also evaluate every this many steps, besides each epoch's end (0: epoch ends only)
 * @param patience    early stopping: stop after this many evaluations without a better validation loss (0: never)
 * @param seed        the seed of the initial weights, the shuffling and the dropout masks
 */
// Checkpoints written before 0.1 recorded "threads", which nothing read: results do not depend on the thread count.
@com.fasterxml.jackson.annotation.JsonIgnoreProperties({"threads"})
public record TrainConfig(
        String corpus, double val, double test,
        CellType cell, int embed, int hidden, int layers, double dropout,
        Batching mode, int batch, int seq,
        OptimizerName optimizer, double lr, double momentum, double weightDecay,
        double clipNorm, double clipValue,
        Schedule schedule, double lrDecay, int lrEvery, int lrPatience,
        long epochs, long steps, double minutes, long evalEvery, int patience,
        long seed) {

    /**
     * The settings (JSON names) that may change when a run is resumed: how long it runs, and where the
     * text is read from (the text itself must be the same: {@link TrainData#fingerprint()} checks it).
     */
    public static final Set<String> RESUMABLE_CHANGES = Set.of("epochs", "steps", "minutes", "patience", "corpus");

    /** The update rules, by their command-line names. */
    public enum OptimizerName {
        SGD, ADAM, ADAMW, ADAGRAD, RMSPROP;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static OptimizerName parse(String s) {
            for (OptimizerName o : values()) {
                if (o.id().equals(s.toLowerCase(Locale.ROOT))) return o;
            }
            throw new IllegalArgumentException("unknown optimizer '" + s + "': use " + ids(values()));
        }
    }

    /** Learning-rate schedules: none, PyTorch's StepLR, or ReduceLROnPlateau. */
    public enum Schedule {
        NONE, STEP, PLATEAU;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Schedule parse(String s) {
            for (Schedule o : values()) {
                if (o.id().equals(s.toLowerCase(Locale.ROOT))) return o;
            }
            throw new IllegalArgumentException("unknown learning-rate schedule '" + s + "': use " + ids(values()));
        }
    }

    public TrainConfig {
        Objects.requireNonNull(corpus, "corpus");
        if (corpus.isBlank()) throw new IllegalArgumentException("--corpus is empty: name a file, a folder, lab or wikitext");
        fraction("--val", val);
        fraction("--test", test);
        if (!(val + test < 1)) {
            throw new IllegalArgumentException("--val " + val + " and --test " + test
                    + " leave no text to train on; together they must be less than 1");
        }
        Objects.requireNonNull(cell, "cell");
        atLeast("--embed", embed, 1);
        atLeast("--hidden", hidden, 1);
        atLeast("--layers", layers, 1);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("--dropout must be at least 0 and less than 1, got " + dropout);
        }
        Objects.requireNonNull(mode, "mode");
        atLeast("--batch", batch, 1);
        atLeast("--seq", seq, 1);
        Objects.requireNonNull(optimizer, "optimizer");
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        }
        nonNegative("--momentum", momentum);
        if (momentum > 0 && optimizer != OptimizerName.SGD && optimizer != OptimizerName.RMSPROP) {
            throw new IllegalArgumentException("--momentum applies to sgd and rmsprop, not " + optimizer.id()
                    + " (Adam's betas play its part)");
        }
        nonNegative("--weight-decay", weightDecay);
        nonNegative("--clip", clipNorm);
        nonNegative("--clip-value", clipValue);
        if (clipNorm > 0 && clipValue > 0) {
            throw new IllegalArgumentException("give --clip (global norm) or --clip-value (per gradient), not both");
        }
        Objects.requireNonNull(schedule, "schedule");
        if (schedule != Schedule.NONE && !(lrDecay > 0 && lrDecay < 1)) {
            throw new IllegalArgumentException("--lr-decay must be between 0 and 1 (exclusive), got " + lrDecay);
        }
        atLeast("--lr-every", lrEvery, 1);
        atLeast("--lr-patience", lrPatience, 0);
        atLeast("--epochs", epochs, 0);
        atLeast("--steps", steps, 0);
        nonNegative("--minutes", minutes);
        if (epochs == 0 && steps == 0 && minutes == 0) {
            throw new IllegalArgumentException("no budget: give --epochs, --steps or --minutes a value above 0");
        }
        atLeast("--eval-every", evalEvery, 0);
        atLeast("--patience", patience, 0);
        if (patience > 0 && val == 0) {
            throw new IllegalArgumentException("--patience (early stopping) watches the validation loss: give --val "
                    + "a fraction above 0");
        }
    }

    private static void fraction(String option, double f) {
        if (!(f >= 0 && f < 1)) throw new IllegalArgumentException(option + " must be at least 0 and less than 1, got " + f);
    }

    private static void atLeast(String option, long v, long min) {
        if (v < min) throw new IllegalArgumentException(option + " must be at least " + min + ", got " + v);
    }

    private static void nonNegative(String option, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(option + " must be a finite number >= 0, got " + v);
        }
    }

    private static String ids(Enum<?>[] values) {
        return Arrays.stream(values).map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }

    /** The model this run trains, for a vocabulary of {@code vocab} characters. */
    public ModelConfig modelConfig(int vocab) {
        return new ModelConfig(cell, vocab, embed, hidden, layers, dropout);
    }

    /** A fresh optimizer of this run's kind over {@code size} parameters, with PyTorch's defaults for the rest. */
    public Optimizer newOptimizer(int size) {
        return switch (optimizer) {
            case SGD -> new Sgd(size, lr, new Sgd.Options(momentum, 0, weightDecay, false));
            case ADAM -> new Adam(size, lr, new Adam.Options(0.9, 0.999, 1e-8, weightDecay, false, false));
            case ADAMW -> new Adam(size, lr, new Adam.Options(0.9, 0.999, 1e-8, weightDecay, false, true));
            case ADAGRAD -> new Adagrad(size, lr, new Adagrad.Options(0, weightDecay, 0, 1e-10));
            case RMSPROP -> new RmsProp(size, lr, new RmsProp.Options(0.99, 1e-8, weightDecay, momentum, false));
        };
    }

    /** A fresh learning-rate schedule of this run's kind. */
    public LrSchedule newSchedule() {
        return switch (schedule) {
            case NONE -> new LrSchedule.Constant();
            case STEP -> new LrSchedule.Step(lrEvery, lrDecay);
            case PLATEAU -> new LrSchedule.Plateau(lrDecay, lrPatience, 1e-4, 0, 0);
        };
    }

    public String toJson() {
        try {
            return TrainJson.MAPPER.writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The config from {@link #toJson}'s JSON; its validation applies, so a damaged file is a clear error. */
    public static TrainConfig fromJson(String json) {
        try {
            return TrainJson.MAPPER.readValue(json, TrainConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("unreadable training config: " + cause.getMessage(), e);
        }
    }

    /**
     * The settings that differ between this config and {@code other}, as {@code option this -> other} with the
     * option's name ({@code eval-every 0 -> 100}), leaving out the JSON names in {@code ignored}.
     */
    public List<String> differences(TrainConfig other, Set<String> ignored) {
        ObjectNode a = TrainJson.MAPPER.valueToTree(this);
        ObjectNode b = TrainJson.MAPPER.valueToTree(other);
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (ignored.contains(name)) continue;
            JsonNode x = a.get(name), y = b.get(name);
            if (!x.equals(y)) out.add(name.replace('_', '-') + " " + x.asText() + " -> " + y.asText());
        }
        return out;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This config as a builder, to change a few settings. */
    public Builder toBuilder() {
        return TrainJson.MAPPER.convertValue(this, Builder.class);
    }

    /** Sets fields one by one; {@link #build()} validates. Starts from the notebook's settings. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
    public static final class Builder {
        private String corpus = "lab";
        private double val = 0.05;
        private double test = 0;
        private CellType cell = CellType.LSTM;
        private int embed = 64;
        private int hidden = 128;
        private int layers = 1;
        private double dropout = 0;
        private Batching mode = Batching.WINDOWS;
        private int batch = 1;
        private int seq = 40;
        private OptimizerName optimizer = OptimizerName.ADAM;
        private double lr = 0.005;
        private double momentum = 0;
        private double weightDecay = 0;
        private double clipNorm = 0;
        private double clipValue = 0;
        private Schedule schedule = Schedule.NONE;
        private double lrDecay = 0.5;
        private int lrEvery = 1;
        private int lrPatience = 2;
        private long epochs = 5;
        private long steps = 0;
        private double minutes = 0;
        private long evalEvery = 0;
        private int patience = 0;
        private long seed = 0;

        public Builder corpus(String v) { corpus = v; return this; }
        public Builder val(double v) { val = v; return this; }
        public Builder test(double v) { test = v; return this; }
        public Builder cell(CellType v) { cell = v; return this; }
        public Builder embed(int v) { embed = v; return this; }
        public Builder hidden(int v) { hidden = v; return this; }
        public Builder layers(int v) { layers = v; return this; }
        public Builder dropout(double v) { dropout = v; return this; }
        public Builder mode(Batching v) { mode = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder seq(int v) { seq = v; return this; }
        public Builder optimizer(OptimizerName v) { optimizer = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder clipNorm(double v) { clipNorm = v; return this; }
        public Builder clipValue(double v) { clipValue = v; return this; }
        public Builder schedule(Schedule v) { schedule = v; return this; }
        public Builder lrDecay(double v) { lrDecay = v; return this; }
        public Builder lrEvery(int v) { lrEvery = v; return this; }
        public Builder lrPatience(int v) { lrPatience = v; return this; }
        public Builder epochs(long v) { epochs = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder minutes(double v) { minutes = v; return this; }
        public Builder evalEvery(long v) { evalEvery = v; return this; }
        public Builder patience(int v) { patience = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(corpus, val, test, cell, embed, hidden, layers, dropout, mode, batch, seq,
                    optimizer, lr, momentum, weightDecay, clipNorm, clipValue, schedule, lrDecay, lrEvery, lrPatience,
                    epochs, steps, minutes, evalEvery, patience, seed);
        }
    }
}
