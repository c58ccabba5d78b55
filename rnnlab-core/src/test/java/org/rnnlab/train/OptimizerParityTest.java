package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.testing.Resources;

/**
 * Every optimizer and clipping rule against torch.optim, step by step, on fixtures made by
 * {@code tools/make_optim_fixtures.py} (each case there has the same hyper-parameters as here). The updates are
 * written operation by operation as PyTorch's CPU kernels compute them, so the parameters agree to within a few
 * float32 ulps after six steps; the tolerance, 1e-6 relative to the parameter's magnitude (about 8 ulps), leaves
 * room only for PyTorch's vectorised kernels contracting an operation differently.
 */
class OptimizerParityTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("sgd", (IntFunction<Optimizer>) p -> new Sgd(p, 0.1, Sgd.Options.DEFAULT)),
                Arguments.of("sgd_momentum", (IntFunction<Optimizer>) p -> new Sgd(p, 0.05, new Sgd.Options(0.9, 0.1, 0.01, false))),
                Arguments.of("sgd_nesterov", (IntFunction<Optimizer>) p -> new Sgd(p, 0.05, new Sgd.Options(0.8, 0, 0, true))),
                Arguments.of("adam", (IntFunction<Optimizer>) p -> new Adam(p, 0.005, Adam.Options.DEFAULT)),
                Arguments.of("adam_wd_amsgrad", (IntFunction<Optimizer>) p -> new Adam(p, 0.01, new Adam.Options(0.8, 0.99, 1e-6, 0.01, true, false))),
                Arguments.of("adamw", (IntFunction<Optimizer>) p -> new Adam(p, 0.01, new Adam.Options(0.9, 0.999, 1e-8, 0.1, false, true))),
                Arguments.of("adagrad", (IntFunction<Optimizer>) p -> new Adagrad(p, 0.01, Adagrad.Options.DEFAULT)),
                Arguments.of("adagrad_options", (IntFunction<Optimizer>) p -> new Adagrad(p, 0.1, new Adagrad.Options(0.1, 0.01, 0.1, 1e-10))),
                Arguments.of("rmsprop", (IntFunction<Optimizer>) p -> new RmsProp(p, 0.01, RmsProp.Options.DEFAULT)),
                Arguments.of("rmsprop_centered_momentum", (IntFunction<Optimizer>) p -> new RmsProp(p, 0.01, new RmsProp.Options(0.9, 1e-8, 0.01, 0.5, true))),
                Arguments.of("adam_clip_norm", (IntFunction<Optimizer>) p -> new Adam(p, 0.005, Adam.Options.DEFAULT)),
                Arguments.of("sgd_clip_value", (IntFunction<Optimizer>) p -> new Sgd(p, 0.1, Sgd.Options.DEFAULT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorchOptimStepByStep(String name, IntFunction<Optimizer> make) throws IOException {
        Map<String, NpyArray> f = Npz.read(Resources.path(getClass(), "optim_" + name + ".npz"));
        float[] w = f.get("w0").toFloats();
        float[] grads = f.get("grads").toFloats();
        float[] expected = f.get("w").toFloats();
        float[] norms = f.containsKey("norms") ? f.get("norms").toFloats() : null;
        int p = w.length;
        int steps = grads.length / p;
        Optimizer opt = make.apply(p);
        float[] g = new float[p];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(grads, s * p, g, 0, p);
            if (name.endsWith("clip_norm")) {
                double norm = GradClip.byGlobalNorm(org.rnnlab.kernel.Kernel.preferred(), g, p, 1.0);
                assertThat(norm).as("norm at step %d", s).isCloseTo(norms[s], org.assertj.core.data.Percentage.withPercentage(1e-4));
            }
            if (name.endsWith("clip_value")) GradClip.byValue(g, p, 0.7);
            opt.step(w, g);
            for (int i = 0; i < p; i++) {
                float want = expected[s * p + i];
                assertThat((double) Math.abs(w[i] - want))
                        .as("%s step %d parameter %d: %s vs torch %s", name, s, i, w[i], want)
                        .isLessThanOrEqualTo(1e-6 * Math.max(1, Math.abs(want)));
            }
        }
        assertThat(opt.steps()).isEqualTo(steps);
    }
}
