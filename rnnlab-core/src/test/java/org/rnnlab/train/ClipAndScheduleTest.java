package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClipAndScheduleTest {
    @Test
    void globalNormClippingKeepsTheDirectionAndOnlyActsAboveTheLimit() {
        float[] g = {3, 4, 0};
        assertThat(GradClip.byGlobalNorm(org.rnnlab.kernel.Kernel.preferred(), g, 3, 10)).isEqualTo(5.0);
        assertThat(g).containsExactly(3, 4, 0);
        assertThat(GradClip.byGlobalNorm(org.rnnlab.kernel.Kernel.preferred(), g, 3, 1)).isEqualTo(5.0);
        assertThat(g[0] / g[1]).isCloseTo(0.75f, within(1e-7f));
        assertThat(GradClip.norm(org.rnnlab.kernel.Kernel.preferred(), g, 3)).isCloseTo(1.0, within(1e-6));
        float[] bad = {Float.NaN, 1};
        assertThat(GradClip.byGlobalNorm(org.rnnlab.kernel.Kernel.preferred(), bad, 2, 1)).isNaN();
        assertThatThrownBy(() -> GradClip.byGlobalNorm(org.rnnlab.kernel.Kernel.preferred(), g, 3, 0)).hasMessageContaining("clip norm must be > 0");
    }

    @Test
    void valueClippingClampsEachElement() {
        float[] g = {-2, 0.5f, 9};
        GradClip.byValue(g, 3, 1);
        assertThat(g).containsExactly(-1, 0.5f, 1);
    }

    /**
     * Expected learning rates printed by torch 1.13:
     * <pre>
     * p = [torch.nn.Parameter(torch.zeros(1))]
     * o = torch.optim.SGD(p, lr=1.0); s = torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)
     * for e in range(8): o.step(); s.step(); print(o.param_groups[0]['lr'])
     * o = torch.optim.SGD(p, lr=1.0)
     * s = torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1, min_lr=0.1)
     * for m in metrics: s.step(m); print(o.param_groups[0]['lr'])
     * </pre>
     */
    @Test
    void schedulesFollowPyTorch() {
        LrSchedule step = new LrSchedule.Step(3, 0.5);
        List<Double> lrs = new ArrayList<>();
        double lr = 1;
        for (int e = 0; e < 8; e++) lrs.add(lr = step.next(lr, 0));
        assertThat(lrs).containsExactly(1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25);

        LrSchedule plateau = new LrSchedule.Plateau(0.5, 2, 1e-4, 1, 0.1);
        double[] metrics = {5, 4, 4, 4, 4, 4, 3.9999, 3.9999, 3.9999, 3.9999, 3.9999, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        lrs.clear();
        lr = 1;
        for (double m : metrics) lrs.add(lr = plateau.next(lr, m));
        assertThat(lrs).containsExactly(1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25,
                0.125, 0.125, 0.125, 0.125, 0.1, 0.1);
    }

    @Test
    void scheduleStateRestoresMidway() {
        LrSchedule.Plateau a = new LrSchedule.Plateau(0.5, 1, 1e-4, 0, 0);
        double lr = 1;
        for (double m : new double[] {3, 3}) lr = a.next(lr, m);
        LrSchedule.Plateau b = new LrSchedule.Plateau(0.5, 1, 1e-4, 0, 0);
        b.restore(a.state());
        assertThat(b.next(lr, 3)).isEqualTo(a.next(lr, 3)).isEqualTo(0.5);
    }

    @Test
    void optimizerStateRestoresSoTheNextStepIsIdentical() {
        float[] w1 = {1, -2, 3};
        float[] g = {0.1f, 0.2f, -0.3f};
        Adam a = new Adam(3, 0.01, Adam.Options.DEFAULT);
        a.step(w1, g);
        a.step(w1, g);
        Adam b = new Adam(3, 0.01, Adam.Options.DEFAULT);
        Map<String, float[]> saved = Map.of("exp_avg", a.buffers().get("exp_avg").clone(),
                "exp_avg_sq", a.buffers().get("exp_avg_sq").clone());
        b.restore(a.steps(), saved);
        float[] w2 = w1.clone();
        a.step(w1, g);
        b.step(w2, g);
        assertThat(w2).containsExactly(w1);
        assertThatThrownBy(() -> b.restore(1, Map.of("sum", new float[3])))
                .hasMessageContaining("optimizer adam state has buffers [exp_avg, exp_avg_sq]");
    }

    @Test
    void badHyperParametersAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new Adam.Options(1.0, 0.999, 1e-8, 0, false, false)).hasMessage("beta1 must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new Sgd(3, -1, Sgd.Options.DEFAULT)).hasMessageContaining("learning rate must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> new Sgd.Options(0, 0, 0, true)).hasMessageContaining("Nesterov");
        assertThatThrownBy(() -> new LrSchedule.Step(0, 0.5)).hasMessageContaining("at least 1 epoch");
    }
}
