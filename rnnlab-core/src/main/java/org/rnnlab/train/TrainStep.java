package org.rnnlab.train;

import org.rnnlab.model.CharModel;
import org.rnnlab.model.ParameterArena;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;

/**
 * One optimizer step on one batch, the only one in rnnlab: {@code rnnlab train} ({@link Trainer}), the lab's second
 * exercise and {@code rnnlab bench} all run it, so the benchmark times what training runs.
 * <ol>
 *   <li>zero the gradients;</li>
 *   <li>forward and the mean cross-entropy over the batch (B, T);</li>
 *   <li>backward through time;</li>
 *   <li>the gradients' global L2 norm, clipped to {@code clipNorm} when it is above 0 (PyTorch's
 *       {@code clip_grad_norm_}), then each gradient clamped to [-clipValue, clipValue] when that is above 0;</li>
 *   <li>the optimizer's update.</li>
 * </ol>
 * A loss or gradient norm that is not finite stops the step before the update, so the weights stay as they were
 * and the caller sees the value (the trainer ends the run on it, so a diverged step is never saved). The
 * notebook's own loop ({@link #notebook}) has neither clipping nor that guard, and skips the norm: in a short run
 * such as the lab's the norm's pass is mostly JIT warm-up (0.25 s of a 3 s {@code rnnlab lab}, measured), and the
 * lab saves nothing a diverged step could spoil. Allocates nothing. Not thread-safe: one step object per trainer.
 */
public final class TrainStep {
    private final CharModel model;
    private final ParameterArena params;
    private final Optimizer optimizer;
    private final double clipNorm;
    private final double clipValue;
    private final boolean guard;
    private double gradNorm = Double.NaN;

    /**
     * @param clipNorm  the global norm to clip to, or 0 for none
     * @param clipValue the bound to clamp each gradient to, or 0 for none
     */
    public TrainStep(CharModel model, Optimizer optimizer, double clipNorm, double clipValue) {
        this(model, optimizer, clipNorm, clipValue, true);
    }

    /** The lab notebook's step: no clipping, and no stop on a non-finite gradient (the norm is not computed). */
    public static TrainStep notebook(CharModel model, Optimizer optimizer) {
        return new TrainStep(model, optimizer, 0, 0, false);
    }

    private TrainStep(CharModel model, Optimizer optimizer, double clipNorm, double clipValue, boolean guard) {
        if (model.quantized()) {
            throw new IllegalArgumentException("the model's weights are int8 (quantized for generation), and training is "
                    + "float32: train the float model it was quantized from");
        }
        if (!(clipNorm >= 0) || !(clipValue >= 0)) {
            throw new IllegalArgumentException("clipping bounds must be >= 0 (0: none), got " + clipNorm + " and " + clipValue);
        }
        this.model = model;
        this.params = model.parameters();
        this.optimizer = optimizer;
        this.clipNorm = clipNorm;
        this.clipValue = clipValue;
        this.guard = guard;
    }

    /**
     * One step on {@code inputs} and {@code targets} (B, T) from {@code initial}; {@code ws.finalState()} then holds
     * the state after the batch (for a caller that carries it).
     *
     * @return the batch's mean loss per character, or the non-finite loss or gradient norm that stopped the step
     */
    public double run(CharModel.Workspace ws, int[] inputs, int[] targets, State initial, Mode mode) {
        model.zeroGrad();
        double loss = model.forward(ws, inputs, targets, initial, mode);
        if (!Double.isFinite(loss)) return loss;
        model.backward(ws);
        return update(loss);
    }

    /**
     * Steps 4 and 5 alone, for gradients computed elsewhere ({@link StepEngine}): the model's gradient buffer holds
     * the gradient of the batch's mean loss {@code loss}.
     *
     * @return {@code loss}, or the non-finite loss or gradient norm that stopped the step before the update
     */
    public double update(double loss) {
        if (!Double.isFinite(loss)) return loss;
        float[] g = params.grads();
        int size = params.size();
        if (guard || clipNorm > 0) {
            double norm = clipNorm > 0 ? GradClip.byGlobalNorm(model.kernel(), g, size, clipNorm)
                    : GradClip.norm(model.kernel(), g, size);
            gradNorm = norm;
            if (!Double.isFinite(norm)) return norm;
        }
        if (clipValue > 0) GradClip.byValue(g, size, clipValue);
        optimizer.step(params.values(), g);
        return loss;
    }

    /** The last step's gradient norm before clipping (NaN before the first backward pass, and for {@link #notebook}). */
    public double gradNorm() {
        return gradNorm;
    }

    /** The model this step trains. */
    public CharModel model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }
}
