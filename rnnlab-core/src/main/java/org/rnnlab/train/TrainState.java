package org.rnnlab.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a run is, beyond its weights and tensors: what a checkpoint needs, with the optimizer's buffers and the
 * carried recurrent state (stored as tensors), to continue the run exactly. Stored as JSON in the checkpoint's
 * metadata under {@code train_state}.
 *
 * @param step             optimizer steps done
 * @param evaluations      scheduled evaluations done (the schedule and early stopping count these)
 * @param batch            the batch size in use (the requested one may have shrunk to fit the text)
 * @param epoch            epochs done, with the fraction of the current one (for people; {@link #batcher} is exact)
 * @param optimizer        the optimizer's name
 * @param lr               the current learning rate (after any schedule decay)
 * @param optimizerSteps   the optimizer's own step count (Adam's bias correction uses it)
 * @param optimizerOptions the optimizer's hyper-parameters, PyTorch's names
 * @param schedule         the learning-rate schedule's state
 * @param batcher          the batcher's position (in windows mode it includes the shuffling Rng at the epoch's start)
 * @param dropoutRng       the dropout Rng's state
 * @param bestValLoss      the best validation loss so far ({@code Infinity} before any)
 * @param bestStep         the step of {@link #bestValLoss} (-1 before any)
 * @param earlyBest        early stopping's best validation loss among scheduled evaluations
 * @param badEvaluations   scheduled evaluations since that best
 * @param intervalLoss     summed training loss (per character, times characters) since the last metrics row
 * @param intervalChars    training characters since the last metrics row
 * @param intervalCorrect  of which predicted right
 * @param intervalNanos    training wall time since the last metrics row
 * @param chars            training characters seen in all
 * @param seconds          wall time of the run in all sessions
 * @param data             {@link TrainData#fingerprint()} of the text trained on
 */
public record TrainState(long step, long evaluations, int batch, double epoch,
                         String optimizer, double lr, long optimizerSteps, JsonNode optimizerOptions,
                         double[] schedule, long[] batcher, long[] dropoutRng,
                         double bestValLoss, long bestStep, double earlyBest, int badEvaluations,
                         double intervalLoss, long intervalChars, long intervalCorrect, long intervalNanos,
                         long chars, double seconds, String data) {

    public String toJson() {
        try {
            return TrainJson.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TrainState fromJson(String json) {
        try {
            return TrainJson.MAPPER.readValue(json, TrainState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable training state: " + e.getOriginalMessage(), e);
        }
    }
}
