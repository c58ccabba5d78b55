package org.rnnlab.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.rnnlab.testing.FiniteDifferences;
import org.rnnlab.testing.FiniteDifferences.Target;
import org.rnnlab.testing.FiniteDifferences.TensorCheck;

/**
 * The gradient check must fail on wrong gradients, not only pass on right ones. An LSTM layer's correct
 * gradient passes; then the analytic side is replaced by the output of realistic mistakes, and the check
 * must reject them, by a wide margin (an error at least 5 times what it allows):
 * <ul>
 *   <li>forgetting the upstream gradient of the final state (backward given dh_T = dc_T = 0);</li>
 *   <li>an off-by-one in time (the output gradients fed one step late);</li>
 *   <li>two gate blocks swapped (i and f) in the gradient of weight_ih;</li>
 *   <li>a gradient 1% too large in one tensor (weight_hh), the subtlest of the four.</li>
 * </ul>
 */
class GradientCheckSelfTest {
    private static final int B = 3, T = 5, IN = 4, H = 5;

    private final SplittableRandom r = new SplittableRandom(42);
    private final RecurrentLayer lstm = GradCheckRig.layer("lstm", r, IN, H, 0, 0.7);
    private final RecurrentLayer.Pass pass = lstm.newPass(B, T);
    private final float[] x = GradCheckRig.uniform(r, T * B * IN, 1);
    private final float[] h0 = GradCheckRig.uniform(r, B * H, 1);
    private final float[] c0 = GradCheckRig.uniform(r, B * H, 1);
    private final float[] rOut = GradCheckRig.uniform(r, T * B * H, 1);
    private final float[] rH = GradCheckRig.uniform(r, B * H, 1);
    private final float[] rC = GradCheckRig.uniform(r, B * H, 1);
    private final float[] dx = new float[x.length];
    private final DoubleSupplier objective = () -> {
        pass.forward(x, h0, c0);
        return FiniteDifferences.dot(rOut, pass.output()) + FiniteDifferences.dot(rH, pass.finalH())
                + FiniteDifferences.dot(rC, pass.finalC());
    };

    /** Analytic gradients from backward with the given upstream gradients, then the check of all tensors. */
    private List<TensorCheck> check(float[] dOut, float[] dhT, float[] dcT, Runnable corrupt) {
        lstm.zeroGrad();
        pass.forward(x, h0, c0);
        pass.backward(x, dOut, dhT, dcT, dx);
        corrupt.run();
        List<Target> targets = new ArrayList<>(GradCheckRig.targets(lstm.params()));
        targets.add(Target.whole("x", x, dx));
        targets.add(Target.whole("h0", h0, pass.dInitialH().clone()));
        targets.add(Target.whole("c0", c0, pass.dInitialC().clone()));
        return FiniteDifferences.check(targets, FiniteDifferences.STEP, objective, null);
    }

    private static double worst(List<TensorCheck> checks) {
        return checks.stream().mapToDouble(TensorCheck::errorOverAllowed).max().orElseThrow();
    }

    private static TensorCheck named(List<TensorCheck> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theCorrectGradientPasses() {
        List<TensorCheck> checks = check(rOut, rH, rC, () -> {});
        assertThat(checks).allMatch(TensorCheck::passed);
        assertThat(worst(checks)).isLessThan(0.5);
    }

    @Test
    void forgettingTheFinalStateGradientFails() {
        List<TensorCheck> checks = check(rOut, new float[B * H], new float[B * H], () -> {});
        assertThat(named(checks, "h0").passed()).isFalse();
        assertThat(named(checks, "weight_hh_l0").passed()).isFalse();
        assertThat(worst(checks)).isGreaterThan(5);
    }

    @Test
    void anOffByOneInTimeFails() {
        float[] late = new float[rOut.length];
        System.arraycopy(rOut, 0, late, B * H, rOut.length - B * H); // step t receives the gradient of step t-1
        List<TensorCheck> checks = check(late, rH, rC, () -> {});
        assertThat(named(checks, "weight_ih_l0").passed()).isFalse();
        assertThat(named(checks, "x").passed()).isFalse();
        assertThat(worst(checks)).isGreaterThan(5);
    }

    @Test
    void swappedGateBlocksFail() {
        Param wIh = lstm.params().get(0); // (4H, IN): rows [0, H) are gate i, [H, 2H) gate f
        List<TensorCheck> checks = check(rOut, rH, rC, () -> {
            for (int k = 0; k < H * IN; k++) {
                int i = wIh.offset() + k, f = wIh.offset() + H * IN + k;
                float t = wIh.grads()[i];
                wIh.grads()[i] = wIh.grads()[f];
                wIh.grads()[f] = t;
            }
        });
        assertThat(named(checks, "weight_ih_l0").passed()).isFalse();
        assertThat(named(checks, "weight_ih_l0").errorOverAllowed()).isGreaterThan(5);
    }

    @Test
    void aOnePercentErrorInOneTensorFails() {
        Param wHh = lstm.params().get(1);
        List<TensorCheck> checks = check(rOut, rH, rC, () -> {
            for (int k = wHh.offset(); k < wHh.offset() + wHh.size(); k++) wHh.grads()[k] *= 1.01f;
        });
        assertThat(named(checks, "weight_hh_l0").passed()).isFalse();
        assertThat(named(checks, "weight_hh_l0").errorOverAllowed()).isGreaterThan(5);
        assertThat(checks).filteredOn(c -> !c.name().equals("weight_hh_l0")).allMatch(TensorCheck::passed);
    }
}
