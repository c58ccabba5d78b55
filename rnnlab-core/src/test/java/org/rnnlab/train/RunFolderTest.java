package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {
    static final TrainData LAB = TrainerTest.LAB;

    static TrainConfig config(long steps) {
        return TrainerTest.small(Batching.STREAM).epochs(0).steps(steps).evalEvery(7).build();
    }

    @Test
    void aFolderIsHeldByOneTrainerAtATimeAndBelongsToItsRun(@TempDir Path dir) throws IOException {
        Trainer first = Trainer.create(config(10), LAB, dir);
        assertThatThrownBy(() -> Trainer.create(config(10), LAB, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir + " is in use by another training run in this process: wait for it to end, or choose "
                        + "another folder");
        TrainerTest.run(first); // the end of the run releases the folder
        assertThat(dir.resolve(RunFolder.LOCK)).isEmptyFile();

        assertThatThrownBy(() -> Trainer.create(config(10), LAB, dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(dir + " already holds a run (");
        Checkpoint last = Checkpoint.read(dir.resolve(Checkpoint.LAST));
        try (Trainer resumed = Trainer.resume(last, LAB, config(20), dir)) {
            assertThat(resumed.out()).isEqualTo(dir);
        }
        // close() released it without a run.
        TrainerTest.run(Trainer.resume(last, LAB, config(20), dir));
        assertThat(Checkpoint.read(dir.resolve(Checkpoint.LAST)).state().step()).isEqualTo(20);
    }

    @Test
    void aCheckpointThatCannotBeWrittenLosesNoTrainingTheStateGoesToARescueFolder(@TempDir Path dir) throws IOException {
        Trainer straight = Trainer.create(config(40), LAB, null);
        TrainerTest.run(straight);

        Path out = dir.resolve("run");
        Trainer t = Trainer.create(config(40), LAB, out);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> t.run(new Trainer.Listener() {
            @Override
            public void saved(Trainer trainer, Path file) {
                if (trainer.step() == 14 && file.endsWith(Checkpoint.LAST)) {
                    try { // the next write of last.safetensors fails, as on a full disk
                        Files.delete(file);
                        Files.createDirectories(file.resolve("in-the-way"));
                    } catch (IOException ex) {
                        throw new AssertionError(ex);
                    }
                }
            }
        }));
        String msg = e.getMessage();
        assertThat(msg).matches("could not write " + out.resolve(Checkpoint.LAST) + " at step 21 \\(.+\\); the "
                + "training state was saved to (.+)/last\\.safetensors instead: make room, then continue with --resume "
                + "\\1/last\\.safetensors --out " + out);
        assertThat(msg.lines()).hasSize(1);
        Path rescued = Path.of(msg.replaceAll(".*--resume (\\S+) --out.*", "$1"));
        assertThat(rescued.getParent().getFileName().toString()).startsWith("rnnlab-rescue-");
        assertThat(out.resolve(RunFolder.LOCK)).as("released after the failure").isEmptyFile();

        // Made room: the run goes on in its own folder from the rescued state, to the weights that never stopped.
        Files.delete(out.resolve(Checkpoint.LAST).resolve("in-the-way"));
        Files.delete(out.resolve(Checkpoint.LAST));
        Checkpoint c = Checkpoint.read(rescued);
        assertThat(c.state().step()).isEqualTo(21);
        Trainer resumed = Trainer.resume(c, LAB, config(40), out);
        TrainerTest.run(resumed);
        assertThat(TrainerTest.weights(resumed)).isEqualTo(TrainerTest.weights(straight));
        assertThat(Checkpoint.read(out.resolve(Checkpoint.LAST)).run()).isEqualTo(c.run());
        Files.delete(rescued.resolveSibling(Checkpoint.METRICS_CSV));
        Files.delete(rescued);
        Files.delete(rescued.getParent());
    }
}
