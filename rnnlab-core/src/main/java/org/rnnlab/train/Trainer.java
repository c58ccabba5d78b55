package org.rnnlab.train;

import org.rnnlab.Score;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.ParameterArena;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.util.Rng;

/**
 * The training loop. Each step: the next batch ({@link Batcher}), then {@link TrainStep} (zero the gradients,
 * forward, backward, clip, optimizer step). In stream mode the final state of a batch is the initial state of the next (truncated
 * BPTT: the gradient stops at the batch boundary) and restarts from zero when the batcher says the streams
 * wrapped; in windows mode every sequence starts from a zero state.
 *
 * <p>After each epoch (and every {@link TrainConfig#evalEvery()} steps) comes a scheduled evaluation: the
 * validation text is scored as one stream ({@link Evaluator}), a {@link MetricsHistory.Row} is added, the
 * learning-rate schedule and early stopping see the validation loss (the training loss without validation), and
 * the checkpoints are written: {@code last} always, {@code best} when the validation loss improved.
 *
 * <p>Everything random comes from the seed: the initial weights ({@link CharModel#create}), and two
 * {@link Rng}s split from {@code new Rng(seed)}: the windows' shuffling and the dropout masks. So the same config
 * and text give the same weights to the bit, and a checkpoint, which holds every state the loop has, resumes
 * to the same weights as a run that never stopped.
 *
 * <p>A loss or gradient norm that is not finite stops the run before the optimizer step, without saving: the
 * checkpoints on disk stay those of the last good evaluation. {@link #requestStop()} (from another thread, e.g. a
 * Ctrl-C hook) stops at the next step boundary and saves {@code last}.
 *
 * <p>A trainer with a checkpoint folder holds it ({@link RunFolder}) from its creation to the end of {@link #run} (or
 * {@link #close()}): a folder of another run, one that cannot be written or one another process trains into is
 * refused before any training. A checkpoint that cannot be written (a full disk) ends the run with the state saved
 * in a rescue folder under {@code java.io.tmpdir} instead, and the message says where.
 */
public final class Trainer implements AutoCloseable {
    /** Why a run stopped. */
    public enum Stop {
        EPOCHS, STEPS, TIME, EARLY_STOP, INTERRUPTED, DIVERGED;

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * How a run ended.
     *
     * @param message     one line for the user (for {@link Stop#DIVERGED}: what happened and what to change)
     * @param last        the last metrics row, or {@code null} when there is none
     * @param bestValLoss the best validation loss ({@code Infinity} without validation)
     * @param bestStep    its step (-1 without)
     * @param test        the test text's score with the best weights (the last without validation), or null
     */
    public record Result(Stop stop, long step, double epoch, String message, MetricsHistory.Row last,
                         double bestValLoss, long bestStep, Score test) {}

    /** What a trainer tells as it goes (progress display, logs); every method is optional. */
    public interface Listener {
        default void started(Trainer trainer) {}

        /** After every optimizer step, with that step's mean loss. */
        default void stepped(Trainer trainer, double loss) {}

        /** Before an evaluation of the validation text, which may take a while. */
        default void evaluating(Trainer trainer) {}

        /** After an evaluation; {@code best} when its validation loss is the best so far. */
        default void evaluated(Trainer trainer, MetricsHistory.Row row, boolean best) {}

        default void saved(Trainer trainer, Path file) {}

        default void finished(Trainer trainer, Result result) {}
    }

    private static final double LN2 = Math.log(2);

    private final TrainConfig config;
    private final TrainData data;
    private final CharModel model;
    private final ParameterArena params;
    private final Optimizer optimizer;
    private final TrainStep trainStep;
    private final LrSchedule schedule;
    private final Rng dropoutRng;
    private final Mode trainingMode;
    private final Batcher batcher;
    private final State carry; // stream mode: (L, B, H) carried from batch to batch; null in windows mode
    private final Path out;
    private final String run; // the run's id, written into every checkpoint
    private Path resumedFrom; // the checkpoint a resumed run was read from: its folder is the run's own
    private RunFolder folder; // held while the trainer may write checkpoints
    private final MetricsHistory history;
    private final List<String> warnings = new ArrayList<>();
    private final int[] inputs;  // (B, T)
    private final int[] targets; // (B, T)
    private final Map<Integer, Work> work = new HashMap<>();
    private volatile boolean stopRequested;
    private StepEngine engine; // null: forward and backward in this process
    private final List<int[]> roundInputs = new ArrayList<>(); // (B, T) each, for rounds of local steps
    private final List<int[]> roundTargets = new ArrayList<>();

    private long step;
    private long evaluations;
    private double bestValLoss = Double.POSITIVE_INFINITY;
    private long bestStep = -1;
    private float[] bestWeights; // (P) in memory, for the final test score
    private double earlyBest = Double.POSITIVE_INFINITY;
    private int badEvaluations;
    private double intervalLoss;
    private long intervalChars;
    private long intervalCorrect;
    private long intervalNanos;
    private long chars;
    private double secondsBefore;
    private long sessionStart;
    private Path lastSaved;
    private long lastSavedStep = -1;

    /** The buffers of one batch size (windows mode's last batch of an epoch may be smaller). */
    private record Work(CharModel.Workspace ws, State zero, int[] inputs, int[] targets) {}

    private Trainer(TrainConfig config, TrainData data, CharModel model, Path out, String run) {
        if (model.quantized()) {
            throw new IllegalArgumentException("the model's weights are int8 (quantized for generation), and training is "
                    + "float32: train the float model it was quantized from");
        }
        ModelConfig expected = config.modelConfig(data.vocabulary().size());
        if (!model.config().equals(expected)) {
            throw new IllegalArgumentException("the model is " + model.config() + " but the training config asks for "
                    + expected);
        }
        this.config = config;
        this.data = data;
        this.model = model;
        this.params = model.parameters();
        this.out = out;
        this.run = run;
        this.history = new MetricsHistory();
        Rng root = new Rng(config.seed());
        Rng shuffleRng = root.split();
        this.dropoutRng = root.split();
        this.trainingMode = Mode.training(dropoutRng);
        this.batcher = Batchers.fit(config.mode(), data.train(), config.batch(), config.seq(), shuffleRng, warnings::add);
        this.optimizer = config.newOptimizer(params.size());
        this.trainStep = new TrainStep(model, optimizer, config.clipNorm(), config.clipValue());
        this.schedule = config.newSchedule();
        this.carry = config.mode() == Batching.STREAM ? model.zeroState(batcher.batchSize()) : null;
        this.inputs = new int[batcher.batchSize() * config.seq()];
        this.targets = new int[inputs.length];
        if (config.dropout() > 0 && config.layers() == 1) {
            warnings.add("--dropout " + config.dropout() + " has no effect with one layer: as in PyTorch, dropout "
                    + "applies between recurrent layers");
        }
    }

    /**
     * A new run from the seed's initial weights; checkpoints go to {@code out} (null: none), which must hold no run.
     *
     * @throws IllegalArgumentException when {@code out} cannot hold checkpoints, holds a run or is in use
     */
    public static Trainer create(TrainConfig config, TrainData data, Path out) throws IOException {
        return create(config, data, CharModel.create(config.modelConfig(data.vocabulary().size()), config.seed()), out);
    }

    /** A new run from the given initial weights (e.g. a PyTorch model's); the model is trained in place. */
    public static Trainer create(TrainConfig config, TrainData data, CharModel initial, Path out) throws IOException {
        Trainer t = new Trainer(config, data, initial, out, RunFolder.newRunId());
        t.claimFolder();
        return t;
    }

    /**
     * Continues the run of a checkpoint exactly where it was saved. {@code config} must equal the checkpoint's
     * except for {@link TrainConfig#RESUMABLE_CHANGES} (budgets, patience, threads), and {@code data} must be the
     * same text: anything else would not be the same run, and is an error naming the difference. {@code out} must be
     * the run's own folder (the checkpoint's, or one holding the same run's checkpoints) or one without a run.
     */
    public static Trainer resume(Checkpoint checkpoint, TrainData data, TrainConfig config, Path out)
            throws IOException {
        Path source = checkpoint.source();
        List<String> changed = checkpoint.config().differences(config, TrainConfig.RESUMABLE_CHANGES);
        if (!changed.isEmpty()) {
            throw new IllegalArgumentException("cannot resume " + source + " with different settings ("
                    + String.join(", ", changed) + "): only --epochs, --steps, --minutes, --patience and --threads "
                    + "may change (and --corpus, to the same text)");
        }
        TrainState s = checkpoint.state();
        if (!data.fingerprint().equals(s.data())) {
            throw new IllegalArgumentException("the text differs from the one " + source + " was trained on ("
                    + data.summary() + "): resume with the same --corpus, --val and --test");
        }
        Trainer t = new Trainer(config, data, checkpoint.model(), out,
                checkpoint.run() != null ? checkpoint.run() : RunFolder.newRunId());
        t.resumedFrom = source;
        if (t.batcher.batchSize() != s.batch()) {
            throw new IllegalArgumentException(source + " was trained with batch " + s.batch() + " but this text gives "
                    + t.batcher.batchSize());
        }
        if (!t.optimizer.name().equals(s.optimizer())) {
            throw new IllegalArgumentException(source + " holds " + s.optimizer() + " state, the config asks for "
                    + t.optimizer.name());
        }
        try {
            t.optimizer.restore(s.optimizerSteps(), checkpoint.optimizerBuffers());
            t.optimizer.setLearningRate(s.lr());
            t.schedule.restore(s.schedule());
            t.batcher.restore(s.batcher());
            t.dropoutRng.restore(s.dropoutRng());
            if (t.carry != null) {
                if (checkpoint.carried() == null) throw new IllegalArgumentException("no carried state (state.h) in it");
                t.carry.copyFrom(checkpoint.carried());
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": damaged training state: " + e.getMessage(), e);
        }
        t.step = s.step();
        t.evaluations = s.evaluations();
        t.bestValLoss = s.bestValLoss();
        t.bestStep = s.bestStep();
        t.earlyBest = s.earlyBest();
        t.badEvaluations = s.badEvaluations();
        t.intervalLoss = s.intervalLoss();
        t.intervalChars = s.intervalChars();
        t.intervalCorrect = s.intervalCorrect();
        t.intervalNanos = s.intervalNanos();
        t.chars = s.chars();
        t.secondsBefore = s.seconds();
        checkpoint.history().rows().forEach(t.history::add);
        t.claimFolder();
        return t;
    }

    private void claimFolder() throws IOException {
        if (out != null && folder == null) folder = RunFolder.claim(out, run, resumedFrom, warnings::add);
    }

    /** Lets go of the checkpoint folder, if this trainer holds it (as the end of {@link #run} does). */
    @Override
    public void close() throws IOException {
        if (folder != null) {
            RunFolder f = folder;
            folder = null;
            f.close();
        }
    }

    /** Asks the loop to stop at the next step boundary and save {@code last}; safe from any thread. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Runs until a budget is spent, early stopping, divergence or {@link #requestStop()}. */
    public Result run(Listener listener) throws IOException {
        claimFolder();
        try {
            return loop(listener);
        } finally {
            close();
        }
    }

    private Result loop(Listener listener) throws IOException {
        sessionStart = System.nanoTime();
        listener.started(this);
        Stop stop;
        String message = null;
        while (true) {
            if (stopRequested) {
                stop = Stop.INTERRUPTED;
                break;
            }
            if (config.steps() > 0 && step >= config.steps()) {
                stop = Stop.STEPS;
                break;
            }
            if (config.epochs() > 0 && batcher.epoch() >= config.epochs()) {
                stop = Stop.EPOCHS;
                break;
            }
            if (config.minutes() > 0 && sessionSeconds() >= config.minutes() * 60) {
                stop = Stop.TIME;
                break;
            }
            long stepBefore = step;
            long epochBefore = batcher.epoch();
            long[] position = batcher.position();
            double loss;
            try {
                loss = engine != null && engine.syncEvery() > 1 ? trainRound() : trainStep();
            } catch (RuntimeException e) {
                // A stop asked for while an engine's step was out on a cluster that is shutting down with this
                // process (Spark stops itself on Ctrl-C): the step never reached the weights, so the run is whole
                // at the last step done; put the batches back and save it as any interrupted run.
                if (!stopRequested || engine == null) throw e;
                batcher.restore(position);
                stop = Stop.INTERRUPTED;
                break;
            }
            if (Double.isNaN(loss) || Double.isInfinite(loss)) {
                stop = Stop.DIVERGED;
                message = divergedMessage("training", loss, step + 1);
                break;
            }
            listener.stepped(this, loss);
            // A round of local steps may pass an epoch's end or an evaluation's step inside it: evaluate after it.
            boolean epochEnd = batcher.batchInEpoch() == 0 || batcher.epoch() != epochBefore;
            if (epochEnd || config.evalEvery() > 0 && step / config.evalEvery() != stepBefore / config.evalEvery()) {
                Stop s = scheduledEvaluation(listener);
                if (s == Stop.EARLY_STOP) {
                    stop = s;
                    message = "validation loss has not improved for " + config.patience() + " evaluations";
                    break;
                }
                if (s == Stop.DIVERGED) {
                    stop = s;
                    message = divergence(history.last());
                    break;
                }
            }
        }
        switch (stop) {
            case INTERRUPTED -> save(listener, false);
            case DIVERGED, EARLY_STOP -> { }
            default -> {
                if (history.last() == null || history.last().step() != step) {
                    MetricsHistory.Row row = evaluate(listener);
                    if (divergence(row) != null) {
                        stop = Stop.DIVERGED;
                        message = divergence(row);
                    } else {
                        boolean best = improved(row);
                        save(listener, best);
                        listener.evaluated(this, row, best);
                    }
                }
            }
        }
        Score test = null;
        if (data.test().length() >= 2 && stop != Stop.INTERRUPTED && stop != Stop.DIVERGED) test = scoreTest();
        Result r = new Result(stop, step, epochProgress(), message, history.last(), bestValLoss, bestStep, test);
        listener.finished(this, r);
        return r;
    }

    /** One optimizer step; returns its loss, or the non-finite loss or gradient norm that stopped it. */
    private double trainStep() {
        long t0 = System.nanoTime();
        int n = batcher.next(inputs, targets);
        int seq = config.seq();
        if (carry != null && batcher.freshState()) carry.reset();
        double loss;
        long correct;
        if (engine != null) { // forward and backward elsewhere; the update here, as always
            StepEngine.Result r = engine.gradients(model, inputs, targets, n, seq, carry, carry, step + 1);
            loss = trainStep.update(r.loss());
            correct = r.correct();
            if (!Double.isFinite(loss)) return loss;
        } else {
            Work w = work(n);
            if (n != batcher.batchSize()) {
                System.arraycopy(inputs, 0, w.inputs, 0, n * seq);
                System.arraycopy(targets, 0, w.targets, 0, n * seq);
            }
            loss = trainStep.run(w.ws, w.inputs, w.targets, carry != null ? carry : w.zero, trainingMode);
            if (!Double.isFinite(loss)) return loss;
            if (carry != null) carry.copyFrom(w.ws.finalState());
            correct = Evaluator.countCorrect(w.ws.logits(), w.targets, n * seq, model.config().vocab());
        }
        step++;
        int count = n * seq;
        chars += count;
        intervalChars += count;
        intervalLoss += loss * count;
        intervalCorrect += correct;
        intervalNanos += System.nanoTime() - t0;
        return loss;
    }

    /**
     * A round of {@link StepEngine#syncEvery} local steps on the engine's shards (fewer when a step or epoch budget
     * ends sooner); returns the round's mean loss, or the non-finite loss that stopped it.
     */
    private double trainRound() {
        long t0 = System.nanoTime();
        int k = engine.syncEvery();
        long total = totalSteps();
        if (total > 0) k = (int) Math.min(k, total - step);
        int seq = config.seq();
        while (roundInputs.size() < k) { // a round's batches, kept from round to round (the engine copies from them)
            roundInputs.add(new int[inputs.length]);
            roundTargets.add(new int[targets.length]);
        }
        List<int[]> ins = roundInputs.subList(0, k);
        List<int[]> tgs = roundTargets.subList(0, k);
        int[] n = new int[k];
        boolean[] fresh = new boolean[k];
        for (int i = 0; i < k; i++) {
            n[i] = batcher.next(ins.get(i), tgs.get(i));
            fresh[i] = batcher.freshState();
        }
        StepEngine.Result r = engine.round(model, optimizer, config, new StepEngine.Round(ins, tgs, n, fresh, seq), carry,
                step + 1);
        if (!Double.isFinite(r.loss())) return r.loss();
        step += k;
        long count = 0;
        for (int rows : n) count += (long) rows * seq;
        chars += count;
        intervalChars += count;
        intervalLoss += r.loss() * count;
        intervalCorrect += r.correct();
        intervalNanos += System.nanoTime() - t0;
        return r.loss();
    }

    /**
     * Computes the forward and backward passes of every following step with {@code engine} (a cluster) rather than
     * here; everything else stays the same. Call before {@link #run}; null goes back to this process.
     */
    public void computeWith(StepEngine engine) {
        this.engine = engine;
    }

    /** The engine steps are computed with, or null for this process. */
    public StepEngine engine() {
        return engine;
    }

    private Work work(int n) {
        return work.computeIfAbsent(n, b -> {
            boolean full = b == batcher.batchSize();
            int len = b * config.seq();
            return new Work(model.workspace(b, config.seq()), model.zeroState(b),
                    full ? inputs : new int[len], full ? targets : new int[len]);
        });
    }

    /**
     * Evaluates, updates the schedule and early stopping, saves; returns {@link Stop#EARLY_STOP} when early stopping
     * says stop, {@link Stop#DIVERGED} (without saving) when the validation loss is not finite, else null.
     */
    private Stop scheduledEvaluation(Listener listener) throws IOException {
        MetricsHistory.Row row = evaluate(listener);
        if (divergence(row) != null) return Stop.DIVERGED;
        intervalLoss = 0;
        intervalChars = 0;
        intervalCorrect = 0;
        intervalNanos = 0;
        evaluations++;
        boolean best = improved(row);
        double metric = row.hasVal() ? row.valLoss() : row.trainLoss();
        optimizer.setLearningRate(schedule.next(optimizer.learningRate(), metric));
        if (config.patience() > 0) {
            if (metric < earlyBest) {
                earlyBest = metric;
                badEvaluations = 0;
            } else {
                badEvaluations++;
            }
        }
        save(listener, best);
        listener.evaluated(this, row, best);
        return config.patience() > 0 && badEvaluations >= config.patience() ? Stop.EARLY_STOP : null;
    }

    /**
     * How many times a uniform guess's loss (ln V) the mean training loss of an evaluation interval may reach before
     * the run counts as diverged: a model that trains at all stays far below it, while a learning rate far too high
     * sends the loss to millions without ever making it NaN.
     */
    static final double DIVERGED_LOSS_FACTOR = 4;

    /**
     * Why the weights of this evaluation are diverged, or null: a validation loss that is not finite (as diverged as
     * a non-finite training loss), or a mean training loss over {@link #DIVERGED_LOSS_FACTOR} times ln V.
     */
    private String divergence(MetricsHistory.Row row) {
        if (data.val().length() >= 2 && !Double.isFinite(row.valLoss())) {
            return divergedMessage("validation", row.valLoss(), step);
        }
        double uniform = Math.log(model.config().vocab());
        if (row.trainLoss() > DIVERGED_LOSS_FACTOR * uniform) {
            return divergedMessage(String.format(Locale.ROOT, "mean training loss since the last evaluation, far above "
                    + "a uniform guess's ln %d = %.2f,", model.config().vocab(), uniform), row.trainLoss(), step);
        }
        return null;
    }

    /** A metrics row for now: the training figures since the last scheduled row, and the validation score. */
    private MetricsHistory.Row evaluate(Listener listener) {
        Score val = null;
        if (data.val().length() >= 2) {
            listener.evaluating(this);
            val = Evaluator.score(model, data.val());
        }
        double trainLoss = intervalChars > 0 ? intervalLoss / intervalChars : Double.NaN;
        double trainAccuracy = intervalChars > 0 ? (double) intervalCorrect / intervalChars : Double.NaN;
        double cps = intervalNanos > 0 ? intervalChars / (intervalNanos / 1e9) : Double.NaN;
        MetricsHistory.Row row = new MetricsHistory.Row(step, epochProgress(), optimizer.learningRate(), trainLoss,
                trainLoss / LN2, trainAccuracy,
                val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.bpc(),
                val == null ? Double.NaN : val.accuracy(), val == null ? Double.NaN : val.perplexity(),
                cps, secondsBefore + sessionSeconds());
        history.add(row);
        return row;
    }

    private boolean improved(MetricsHistory.Row row) {
        if (!row.hasVal() || !(row.valLoss() < bestValLoss)) return false;
        bestValLoss = row.valLoss();
        bestStep = row.step();
        bestWeights = params.values().clone();
        return true;
    }

    private void save(Listener listener, boolean best) throws IOException {
        if (out == null) return;
        TrainState state = state();
        Map<String, float[]> buffers = optimizer.buffers();
        Path file = out.resolve(Checkpoint.LAST);
        Path writing = out.resolve(Checkpoint.BEST);
        try {
            if (best) {
                Checkpoint.write(writing, "best", run, model, data.vocabulary(), config, state, history, buffers, carry);
                listener.saved(this, writing);
            }
            writing = file;
            Checkpoint.write(file, "last", run, model, data.vocabulary(), config, state, history, buffers, carry);
            writing = out.resolve(Checkpoint.METRICS_CSV);
            history.writeCsv(writing);
        } catch (IOException e) {
            throw new IOException(rescue(writing, e, state, buffers), e);
        }
        lastSaved = file;
        lastSavedStep = step;
        listener.saved(this, file);
    }

    /**
     * After a failed write of {@code failed}: saves the run's state in a new folder under {@code java.io.tmpdir}
     * and returns one line saying what failed, where the state went and how to continue (or, if that write fails
     * too, which checkpoint on disk is intact).
     */
    private String rescue(Path failed, IOException cause, TrainState state, Map<String, float[]> buffers) {
        String what = "could not write " + failed + " at step " + step + " (" + reasonOf(cause) + ")";
        Path rescue = null;
        try {
            rescue = Files.createTempDirectory("rnnlab-rescue-");
            Checkpoint.write(rescue.resolve(Checkpoint.LAST), "last", run, model, data.vocabulary(), config, state,
                    history, buffers, carry);
            history.writeCsv(rescue.resolve(Checkpoint.METRICS_CSV));
            return what + "; the training state was saved to " + rescue.resolve(Checkpoint.LAST) + " instead: make "
                    + "room, then continue with --resume " + rescue.resolve(Checkpoint.LAST) + " --out " + out;
        } catch (IOException | RuntimeException again) {
            String intact = lastSaved != null ? "the last checkpoint written, " + lastSaved + " (step " + lastSavedStep
                    + "), is intact" : "no checkpoint had been written yet";
            return what + "; saving it to " + (rescue != null ? rescue : System.getProperty("java.io.tmpdir"))
                    + " failed too (" + reasonOf(again) + "); " + intact;
        }
    }

    private static String reasonOf(Exception e) {
        if (e instanceof java.nio.file.FileSystemException f) return RunFolder.reason(f);
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Everything but the tensors, as a checkpoint stores it. */
    public TrainState state() {
        return new TrainState(step, evaluations, batcher.batchSize(), epochProgress(), optimizer.name(),
                optimizer.learningRate(), optimizer.steps(), TrainJson.MAPPER.valueToTree(optimizer.options()),
                schedule.state(), batcher.position(), dropoutRng.state(), bestValLoss, bestStep, earlyBest,
                badEvaluations, intervalLoss, intervalChars, intervalCorrect, intervalNanos, chars,
                secondsBefore + sessionSeconds(), data.fingerprint());
    }

    /** The test text's score with the best weights: those kept in memory, else best.safetensors, else the last. */
    private Score scoreTest() throws IOException {
        Path bestFile = out == null ? null : out.resolve(Checkpoint.BEST);
        if (bestWeights == null && bestFile != null && Files.exists(bestFile)) {
            return Evaluator.score(Checkpoint.read(bestFile).model(), data.test());
        }
        if (bestWeights == null) return Evaluator.score(model, data.test());
        CharModel best = CharModel.create(model.config(), 0);
        System.arraycopy(bestWeights, 0, best.parameters().values(), 0, bestWeights.length);
        return Evaluator.score(best, data.test());
    }

    private String divergedMessage(String which, double value, long atStep) {
        StringBuilder sb = new StringBuilder("the " + which + (which.endsWith(",") ? " became " : " loss became ")
                + value + " at step " + atStep + " (epoch "
                + String.format(Locale.ROOT, "%.2f", epochProgress()) + "): the weights diverged. Lower --lr (now "
                + optimizer.learningRate() + ")");
        if (config.clipNorm() > 0) sb.append(" or --clip (now ").append(config.clipNorm()).append(")");
        else sb.append(" or clip the gradients (e.g. --clip 1)");
        if (lastSaved != null) sb.append("; the last good checkpoint, ").append(lastSaved).append(" (step ")
                .append(lastSavedStep).append("), is intact");
        else if (out != null) sb.append("; no checkpoint had been written yet");
        return sb.toString();
    }

    private double sessionSeconds() {
        return (System.nanoTime() - sessionStart) / 1e9;
    }

    public TrainConfig config() {
        return config;
    }

    public CharModel model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Batcher batcher() {
        return batcher;
    }

    /** Optimizer steps done. */
    public long step() {
        return step;
    }

    /** Epochs done, with the fraction of the current one. */
    public double epochProgress() {
        return batcher.epoch() + (double) batcher.batchInEpoch() / batcher.batchesPerEpoch();
    }

    /** Characters per step (B * T). */
    public int charsPerStep() {
        return batcher.batchSize() * config.seq();
    }

    /** The step at which a step or epoch budget ends the run, or -1 when only time limits it. */
    public long totalSteps() {
        long total = Long.MAX_VALUE;
        if (config.steps() > 0) total = config.steps();
        if (config.epochs() > 0) total = Math.min(total, config.epochs() * batcher.batchesPerEpoch());
        return total == Long.MAX_VALUE ? -1 : total;
    }

    public MetricsHistory history() {
        return history;
    }

    /** Things the set-up adjusted that the user should know (a batch shrunk to fit the text, ignored dropout). */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** The text's vocabulary, the model's characters in index order. */
    public org.rnnlab.text.Vocabulary vocabulary() {
        return data.vocabulary();
    }

    /** The checkpoint folder, or null. */
    public Path out() {
        return out;
    }
}
