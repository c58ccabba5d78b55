package org.rnnlab.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.testing.FiniteDifferences;
import org.rnnlab.testing.FiniteDifferences.Target;

/**
 * Finite differences against every layer's backward pass, for every parameter entry and every input entry
 * (x, h0, c0). Each layer is checked on a random linear objective {@code J = sum R * outputs} (plus
 * {@code sum R_h * h_T} and {@code sum R_c * c_T} for recurrent layers), computed in double, whose analytic
 * gradient is the layer's backward fed with {@code dOut = R}, {@code dh_T = R_h}, {@code dc_T = R_c}; the loss
 * is checked on itself. Parameters are drawn uniform in +-0.7 (a little wider than PyTorch's +-1/sqrt(H) for
 * H = 5, so that the gates leave their linear region) and inputs in +-1.
 *
 * <p>Tolerance, per tensor: {@code |a - n|_2 <= 2e-4 max(|a|_2, |n|_2) + 1e-5 sqrt(entries)}
 * ({@link FiniteDifferences#TOLERANCE}, {@link FiniteDifferences#NOISE}), from fourth-order centred
 * differences with step {@link FiniteDifferences#STEP} = 3e-2. The argument, in short: float32 rounding
 * leaves J uncertain by 1e-7 to 1e-6, which the difference quotient divides by the step (up to ~3e-5 per
 * entry), while the fourth-order stencil keeps truncation near 1e-6; the measured floor is 1e-6 to 8e-5
 * relative per tensor and at most ~5e-6 absolute per entry, so the relative part sits a factor 4 to 20 above
 * it and the absolute part only rescues tensors with tiny gradients (details in {@link FiniteDifferences}).
 *
 * <p>The relu RNN uses h = 3e-3 so that few perturbations cross a kink (those entries are skipped, at most a
 * quarter of a tensor): being piecewise polynomial it has almost no truncation error, so the smaller step only
 * raises the rounding part, to a measured 5e-5.
 */
class GradientCheckTest {
    private static final int B = 3, T = 5, IN = 4, H = 5;

    @Test
    void embedding() {
        SplittableRandom r = new SplittableRandom(1);
        int v = 6, e = 3;
        Embedding emb = new Embedding(GradCheckRig.param(r, "embedding.weight", 1, v, e));
        int[] ids = {0, 3, 3, 5, 1, 3, 0, 2, 5, 5}; // repeats: the scatter must add, not overwrite
        float[] out = new float[ids.length * e];
        float[] rOut = GradCheckRig.uniform(r, out.length, 1);
        emb.zeroGrad();
        emb.forward(ids, ids.length, out);
        emb.backward(ids, ids.length, rOut);
        DoubleSupplier j = () -> {
            emb.forward(ids, ids.length, out);
            return FiniteDifferences.dot(rOut, out);
        };
        GradCheckRig.assertAllPass("embedding", FiniteDifferences.check(GradCheckRig.targets(List.of(emb.weight())),
                FiniteDifferences.STEP, j, null));
        assertThat(emb.weight().grads()[4 * e]).as("row 4 is never used").isZero();
    }

    @Test
    void linear() {
        SplittableRandom r = new SplittableRandom(2);
        int rows = 7, in = 4, out = 3;
        Param w = GradCheckRig.param(r, "fc.weight", 0.7, out, in);
        Param b = GradCheckRig.param(r, "fc.bias", 0.7, out);
        Linear fc = new Linear(Kernel.scalar(), w, b);
        float[] x = GradCheckRig.uniform(r, rows * in, 1);
        float[] y = new float[rows * out];
        float[] rY = GradCheckRig.uniform(r, y.length, 1);
        float[] dx = new float[x.length];
        fc.zeroGrad();
        fc.forward(x, rows, y);
        fc.backward(x, rY, rows, dx);
        DoubleSupplier j = () -> {
            fc.forward(x, rows, y);
            return FiniteDifferences.dot(rY, y);
        };
        List<Target> targets = new ArrayList<>(GradCheckRig.targets(List.of(w, b)));
        targets.add(Target.whole("x", x, dx));
        GradCheckRig.assertAllPass("linear", FiniteDifferences.check(targets, FiniteDifferences.STEP, j, null));
    }

    @Test
    void softmaxCrossEntropy() {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 6, v = 5;
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(Kernel.scalar(), v);
        float[] logits = GradCheckRig.uniform(r, rows * v, 3);
        int[] targets = {0, 4, 2, 2, 1, 3};
        double[] lse = new double[rows];
        float[] dLogits = new float[logits.length];
        loss.forward(logits, targets, rows, lse);
        loss.backward(logits, targets, rows, lse, 1.0, dLogits);
        DoubleSupplier j = () -> loss.forward(logits, targets, rows, lse);
        GradCheckRig.assertAllPass("cross-entropy", FiniteDifferences.check(
                List.of(Target.whole("logits", logits, dLogits)), FiniteDifferences.STEP, j, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn_tanh", "rnn_relu", "lstm", "gru"})
    void recurrentLayer(String kind) {
        SplittableRandom r = new SplittableRandom(42);
        RecurrentLayer layer = GradCheckRig.layer(kind, r, IN, H, 0, 0.7);
        RecurrentLayer.Pass pass = layer.newPass(B, T);
        float[] x = GradCheckRig.uniform(r, T * B * IN, 1);
        float[] h0 = GradCheckRig.uniform(r, B * H, 1);
        float[] c0 = GradCheckRig.uniform(r, B * H, 1);
        float[] rOut = GradCheckRig.uniform(r, T * B * H, 1);
        float[] rH = GradCheckRig.uniform(r, B * H, 1);
        float[] rC = GradCheckRig.uniform(r, B * H, 1);
        boolean cell = layer.hasCell();
        DoubleSupplier j = () -> {
            pass.forward(x, h0, c0);
            return FiniteDifferences.dot(rOut, pass.output()) + FiniteDifferences.dot(rH, pass.finalH())
                    + (cell ? FiniteDifferences.dot(rC, pass.finalC()) : 0);
        };
        layer.zeroGrad();
        pass.forward(x, h0, c0);
        float[] dx = new float[x.length];
        pass.backward(x, rOut, rH, rC, dx);
        List<Target> targets = new ArrayList<>(GradCheckRig.targets(layer.params()));
        targets.add(Target.whole("x", x, dx));
        targets.add(Target.whole("h0", h0, pass.dInitialH().clone()));
        if (cell) targets.add(Target.whole("c0", c0, pass.dInitialC().clone()));
        boolean relu = kind.equals("rnn_relu");
        GradCheckRig.assertAllPass(kind, FiniteDifferences.check(targets, relu ? 3e-3 : FiniteDifferences.STEP, j,
                relu ? () -> GradCheckRig.zeroPattern(pass.output()) : null));
    }

    /** Three layers with dropout 0.4 between them, in training: the masks are redrawn from the same seed each time. */
    @ParameterizedTest
    @ValueSource(strings = {"rnn_tanh", "lstm", "gru"})
    void dropoutStack(String kind) {
        SplittableRandom r = new SplittableRandom(7);
        int layers = 3;
        List<RecurrentLayer> list = new ArrayList<>();
        for (int l = 0; l < layers; l++) list.add(GradCheckRig.layer(kind, r, l == 0 ? IN : H, H, l, 0.7));
        RecurrentStack stack = new RecurrentStack(list, 0.4);
        RecurrentStack.Pass pass = stack.newPass(B, T);
        boolean cell = stack.hasCell();
        float[] x = GradCheckRig.uniform(r, T * B * IN, 1);
        float[][] h0 = new float[layers][], c0 = new float[layers][], rH = new float[layers][], rC = new float[layers][];
        for (int l = 0; l < layers; l++) {
            h0[l] = GradCheckRig.uniform(r, B * H, 1);
            c0[l] = GradCheckRig.uniform(r, B * H, 1);
            rH[l] = GradCheckRig.uniform(r, B * H, 1);
            rC[l] = GradCheckRig.uniform(r, B * H, 1);
        }
        float[] rTop = GradCheckRig.uniform(r, T * B * H, 1);
        DoubleSupplier j = () -> {
            pass.forward(x, h0, c0, Mode.training(new SplittableRandom(99)));
            double s = FiniteDifferences.dot(rTop, pass.output());
            for (int l = 0; l < layers; l++) {
                s += FiniteDifferences.dot(rH[l], pass.finalH(l)) + (cell ? FiniteDifferences.dot(rC[l], pass.finalC(l)) : 0);
            }
            return s;
        };
        stack.zeroGrad();
        j.getAsDouble();
        float[] dx = new float[x.length];
        pass.backward(x, rTop, rH, rC, dx);
        List<Target> targets = new ArrayList<>();
        for (int l = 0; l < layers; l++) targets.addAll(GradCheckRig.targets(stack.layer(l).params()));
        targets.add(Target.whole("x", x, dx));
        for (int l = 0; l < layers; l++) {
            targets.add(Target.whole("h0[" + l + "]", h0[l], pass.dInitialH(l).clone()));
            if (cell) targets.add(Target.whole("c0[" + l + "]", c0[l], pass.dInitialC(l).clone()));
        }
        GradCheckRig.assertAllPass("dropout stack " + kind,
                FiniteDifferences.check(targets, FiniteDifferences.STEP, j, null));
    }
}
