package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.rnnlab.model.CellType;

class TrainConfigTest {
    @Test
    void theDefaultsAreTheNotebooks() {
        TrainConfig c = TrainConfig.builder().build();
        assertThat(c.cell()).isEqualTo(CellType.LSTM);
        assertThat(c.embed()).isEqualTo(64);
        assertThat(c.hidden()).isEqualTo(128);
        assertThat(c.layers()).isEqualTo(1);
        assertThat(c.optimizer()).isEqualTo(TrainConfig.OptimizerName.ADAM);
        assertThat(c.lr()).isEqualTo(0.005);
        assertThat(c.seq()).isEqualTo(40);
        assertThat(c.batch()).isEqualTo(1);
        assertThat(c.epochs()).isEqualTo(5);
        assertThat(c.mode()).isEqualTo(Batching.WINDOWS);
    }

    @Test
    void jsonRoundTripsEverySetting() {
        TrainConfig c = TrainConfig.builder().corpus("data/é.txt").val(0.1).test(0.05).cell(CellType.RNN_RELU)
                .dropout(0.25).mode(Batching.STREAM).optimizer(TrainConfig.OptimizerName.RMSPROP).momentum(0.9)
                .weightDecay(1e-4).clipNorm(0.25).schedule(TrainConfig.Schedule.PLATEAU).lrDecay(0.3).lrPatience(4)
                .epochs(0).steps(1000).minutes(2.5).evalEvery(50).patience(3).seed(-7).build();
        String json = c.toJson();
        assertThat(json).contains("\"cell\":\"rnn_relu\"", "\"mode\":\"stream\"", "\"optimizer\":\"rmsprop\"",
                "\"clip_norm\":0.25", "\"eval_every\":50");
        assertThat(TrainConfig.fromJson(json)).isEqualTo(c);
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(json).doesNotContain("threads");
        assertThat(TrainConfig.fromJson(json.replace("\"seed\":", "\"threads\":4,\"seed\":")))
                .as("a checkpoint written when threads were recorded").isEqualTo(c);
    }

    @Test
    void differencesNameTheOptions() {
        TrainConfig a = TrainConfig.builder().build();
        TrainConfig b = a.toBuilder().evalEvery(10).steps(9).cell(CellType.GRU).build();
        assertThat(a.differences(b, Set.of())).containsExactly("cell lstm -> gru", "steps 0 -> 9", "eval-every 0 -> 10");
        assertThat(a.differences(b, TrainConfig.RESUMABLE_CHANGES)).containsExactly("cell lstm -> gru", "eval-every 0 -> 10");
    }

    @Test
    void everyBadValueIsAOneLineErrorNamingTheOption() {
        bad(b -> b.val(1), "--val must be at least 0 and less than 1, got 1.0");
        bad(b -> b.val(0.6).test(0.4), "--val 0.6 and --test 0.4 leave no text to train on; together they must be less than 1");
        bad(b -> b.hidden(0), "--hidden must be at least 1, got 0");
        bad(b -> b.embed(-1), "--embed must be at least 1, got -1");
        bad(b -> b.layers(0), "--layers must be at least 1, got 0");
        bad(b -> b.dropout(1), "--dropout must be at least 0 and less than 1, got 1.0");
        bad(b -> b.batch(0), "--batch must be at least 1, got 0");
        bad(b -> b.seq(0), "--seq must be at least 1, got 0");
        bad(b -> b.lr(0), "--lr must be a finite number > 0, got 0.0");
        bad(b -> b.lr(Double.NaN), "--lr must be a finite number > 0, got NaN");
        bad(b -> b.momentum(0.9), "--momentum applies to sgd and rmsprop, not adam (Adam's betas play its part)");
        bad(b -> b.clipNorm(-1), "--clip must be a finite number >= 0, got -1.0");
        bad(b -> b.clipNorm(1).clipValue(1), "give --clip (global norm) or --clip-value (per gradient), not both");
        bad(b -> b.schedule(TrainConfig.Schedule.STEP).lrDecay(1), "--lr-decay must be between 0 and 1 (exclusive), got 1.0");
        bad(b -> b.epochs(0), "no budget: give --epochs, --steps or --minutes a value above 0");
        bad(b -> b.steps(-5), "--steps must be at least 0, got -5");
        bad(b -> b.minutes(Double.POSITIVE_INFINITY), "--minutes must be a finite number >= 0, got Infinity");
        bad(b -> b.val(0).patience(2), "--patience (early stopping) watches the validation loss: give --val a fraction above 0");
        bad(b -> b.corpus(" "), "--corpus is empty: name a file, a folder, lab or wikitext");
        assertThatThrownBy(() -> TrainConfig.OptimizerName.parse("lbfgs")).hasMessage(
                "unknown optimizer 'lbfgs': use sgd, adam, adamw, adagrad, rmsprop");
        assertThatThrownBy(() -> TrainConfig.Schedule.parse("cosine")).hasMessage(
                "unknown learning-rate schedule 'cosine': use none, step, plateau");
    }

    private static void bad(UnaryOperator<TrainConfig.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(TrainConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
