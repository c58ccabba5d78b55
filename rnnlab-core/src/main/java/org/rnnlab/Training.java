package org.rnnlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.text.Corpora;
import org.rnnlab.train.Checkpoint;
import org.rnnlab.train.TrainConfig;
import org.rnnlab.train.TrainData;
import org.rnnlab.train.Trainer;

/**
 * Trains a character model on a text, with validation, checkpoints and exact resume: what {@code rnnlab train} runs.
 *
 * <pre>{@code
 * TrainConfig config = TrainConfig.builder().corpus("book.txt").cell(CellType.GRU).hidden(256)
 *         .mode(Batching.STREAM).batch(32).seq(64).steps(2000).evalEvery(200).build();
 * try (Training t = Training.start(config, Path.of("runs/book"))) {
 *     Trainer.Result r = t.run(new Trainer.Listener() {
 *         public void evaluated(Trainer tr, MetricsHistory.Row row, boolean best) {
 *             System.out.printf("step %d val bpc %.3f%n", row.step(), row.valBpc());
 *         }
 *     });
 * }
 * Model trained = Model.load(Path.of("runs/book"));               // its best.safetensors
 * try (Training more = Training.resume(Path.of("runs/book"), b -> b.steps(4000))) { more.run(null); }
 * }</pre>
 *
 * <p>The config's {@link TrainConfig#corpus()} names the text: a UTF-8 file or a folder of them, {@code lab} (the
 * notebook's lines), {@code wikitext} or {@code mix:N}. Checkpoints go to the run's folder: {@code last.safetensors}
 * at every evaluation, {@code best.safetensors} when the validation loss improved, {@code metrics.csv}. A folder
 * belongs to one run: one holding another run's files, or one another process trains into, is refused before any
 * training. Ctrl-C handling is the caller's: {@link #requestStop()} from any thread stops at the next step and saves.
 *
 * <p><b>Thread safety:</b> one thread runs a training; {@link #requestStop()} may come from any thread.
 *
 * <p><b>Errors:</b> bad settings or a folder that cannot hold the run are {@link IllegalArgumentException}s naming
 * the setting or the folder; a text or checkpoint that cannot be read, or a checkpoint that cannot be written (the
 * message says where the state was saved instead), {@link IOException}s.
 */
public final class Training implements AutoCloseable {
    private final Trainer trainer;

    private Training(Trainer trainer) {
        this.trainer = trainer;
    }

    /** A new run of {@code config}, its checkpoints in {@code out} (null: none), which must hold no other run. */
    public static Training start(TrainConfig config, Path out) throws IOException {
        TrainData data = TrainData.of(Corpora.load(config.corpus()), config.val(), config.test());
        return new Training(Trainer.create(config, data, out));
    }

    /** Continues a run exactly where its checkpoint (or its folder's {@code last.safetensors}) left it. */
    public static Training resume(Path checkpoint) throws IOException {
        return resume(checkpoint, b -> b);
    }

    /**
     * Continues a run with some settings changed: only the budgets (epochs, steps, minutes), patience and threads may
     * change, and the corpus only to a path holding the same text. Checkpoints go on in the checkpoint's folder.
     *
     * @param changes applied to the run's own settings, e.g. {@code b -> b.steps(4000)}
     */
    public static Training resume(Path checkpoint, UnaryOperator<TrainConfig.Builder> changes) throws IOException {
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve(Checkpoint.LAST) : checkpoint;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such checkpoint (a run's folder holds "
                    + ModelFiles.RUN_LAST + ")");
        }
        Checkpoint c = Checkpoint.read(file);
        TrainConfig config = changes.apply(c.config().toBuilder()).build();
        TrainData data = TrainData.of(Corpora.load(config.corpus()), config.val(), config.test());
        Path out = file.toAbsolutePath().getParent();
        return new Training(Trainer.resume(c, data, config, out));
    }

    /** The run's settings. */
    public TrainConfig config() {
        return trainer.config();
    }

    /** Optimizer steps done so far. */
    public long step() {
        return trainer.step();
    }

    /** What the set-up adjusted that the user should know (a batch shrunk to fit the text, stale files removed). */
    public List<String> warnings() {
        return trainer.warnings();
    }

    /**
     * Trains until a budget is spent, early stopping, divergence or {@link #requestStop()}, telling {@code listener}
     * (or nothing, when null) as it goes. A non-finite loss stops without saving: the checkpoints on disk stay the
     * last good ones, and the result's message says what to change.
     */
    public Trainer.Result run(Trainer.Listener listener) throws IOException {
        return trainer.run(listener != null ? listener : new Trainer.Listener() { });
    }

    /** Asks the run to stop at the next step boundary and save {@code last.safetensors}; safe from any thread. */
    public void requestStop() {
        trainer.requestStop();
    }

    /** The model as trained so far (a copy: training on does not change it). */
    public Model model() {
        CharModel copy = CharModel.create(trainer.model().config(), 0);
        float[] w = trainer.model().parameters().values();
        System.arraycopy(w, 0, copy.parameters().values(), 0, w.length);
        return Model.of(copy, trainer.vocabulary(), trainer.out());
    }

    /** Lets go of the run's folder (a run does at its end; this is for a training never run). */
    @Override
    public void close() throws IOException {
        trainer.close();
    }
}
