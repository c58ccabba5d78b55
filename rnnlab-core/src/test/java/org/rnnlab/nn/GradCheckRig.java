package org.rnnlab.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.testing.FiniteDifferences.Target;
import org.rnnlab.testing.FiniteDifferences.TensorCheck;

/** Small layers with random parameters for the finite-difference checks, and the assertion over a check. */
final class GradCheckRig {
    private GradCheckRig() {}

    static float[] uniform(SplittableRandom r, int n, double bound) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-bound, bound);
        return x;
    }

    static Param param(SplittableRandom r, String name, double bound, int... shape) {
        Param p = Param.standalone(name, shape);
        float[] v = uniform(r, p.size(), bound);
        System.arraycopy(v, 0, p.values(), 0, v.length);
        return p;
    }

    /** A layer of {@code kind} (rnn_tanh, rnn_relu, lstm, gru) with parameters uniform in +-bound. */
    static RecurrentLayer layer(String kind, SplittableRandom r, int in, int hidden, int index, double bound) {
        int gates = switch (kind) {
            case "lstm" -> 4;
            case "gru" -> 3;
            default -> 1;
        };
        Param wIh = param(r, "weight_ih_l" + index, bound, gates * hidden, in);
        Param wHh = param(r, "weight_hh_l" + index, bound, gates * hidden, hidden);
        Param bIh = param(r, "bias_ih_l" + index, bound, gates * hidden);
        Param bHh = param(r, "bias_hh_l" + index, bound, gates * hidden);
        Kernel k = Kernel.scalar();
        return switch (kind) {
            case "rnn_tanh" -> new Rnn(k, Nonlinearity.TANH, wIh, wHh, bIh, bHh);
            case "rnn_relu" -> new Rnn(k, Nonlinearity.RELU, wIh, wHh, bIh, bHh);
            case "lstm" -> new Lstm(k, wIh, wHh, bIh, bHh);
            case "gru" -> new Gru(k, wIh, wHh, bIh, bHh);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static List<Target> targets(List<Param> params) {
        List<Target> out = new ArrayList<>();
        for (Param p : params) out.add(new Target(p.name(), p.values(), p.offset(), p.size(), p.grads(), p.offset()));
        return out;
    }

    /** A branch signature for relu: which outputs are exactly zero. */
    static long zeroPattern(float[] y) {
        long h = 1125899906842597L;
        for (float v : y) h = 31 * h + (v == 0f ? 1 : 0);
        return h;
    }

    static void assertAllPass(String what, List<TensorCheck> checks) {
        StringBuilder table = new StringBuilder(what).append('\n');
        for (TensorCheck c : checks) table.append("  ").append(c.describe()).append('\n');
        if (Boolean.getBoolean("rnnlab.verbose")) System.out.print(table);
        for (TensorCheck c : checks) assertThat(c.passed()).as("%s\n%s", c.name(), table).isTrue();
    }
}
