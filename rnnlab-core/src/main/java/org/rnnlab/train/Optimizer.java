package org.rnnlab.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An update rule over one flat parameter arena: {@code step(w, g)} changes the parameters {@code w} given their
 * gradients {@code g} (both (P), the whole model). Every rule here is elementwise, so one arena-wide pass is the
 * same as PyTorch's per-tensor loop; the arithmetic follows torch.optim's single-tensor code (PyTorch 1.13/2.x)
 * operation by operation, in float32 with Python scalars rounded to float as PyTorch's CPU kernels round them.
 *
 * <p>State (step count, moment buffers) is exposed by {@link #buffers()} and {@link #steps()} so that a checkpoint
 * can save it and {@link #restore} can put it back: a resumed run continues bit for bit.
 */
public abstract sealed class Optimizer permits Sgd, Adam, Adagrad, RmsProp {
    protected final int size;
    protected double lr;
    protected long steps;

    protected Optimizer(int size, double lr) {
        if (size < 1) throw new IllegalArgumentException("an optimizer needs at least one parameter, got " + size);
        checkLearningRate(lr);
        this.size = size;
        this.lr = lr;
    }

    static void checkLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
        }
    }

    /** Applies one update to {@code w} (P) from {@code g} (P). */
    public final void step(float[] w, float[] g) {
        if (w.length < size || g.length < size) {
            throw new IllegalArgumentException("optimizer made for " + size + " parameters, given " + w.length
                    + " values and " + g.length + " gradients");
        }
        steps++;
        update(w, g);
    }

    protected abstract void update(float[] w, float[] g);

    /** The name used on the command line and in checkpoints: sgd, adam, adamw, adagrad, rmsprop. */
    public abstract String name();

    /** The hyper-parameters besides the learning rate, as PyTorch names them (recorded in checkpoints). */
    public abstract Record options();

    public double learningRate() {
        return lr;
    }

    /** Changes the learning rate, as a scheduler does to PyTorch's {@code param_group["lr"]}. */
    public void setLearningRate(double lr) {
        checkLearningRate(lr);
        this.lr = lr;
    }

    /** Updates applied so far. */
    public long steps() {
        return steps;
    }

    /** The state buffers by name (e.g. {@code exp_avg}), live views: a checkpoint copies them. */
    public abstract Map<String, float[]> buffers();

    /** Puts back a saved state: the step count and every buffer of {@link #buffers()}, by name and length. */
    public void restore(long steps, Map<String, float[]> saved) {
        if (steps < 0) throw new IllegalArgumentException("negative optimizer step count " + steps);
        Map<String, float[]> mine = buffers();
        if (!saved.keySet().equals(mine.keySet())) {
            throw new IllegalArgumentException("optimizer " + name() + " state has buffers " + mine.keySet()
                    + ", the checkpoint has " + saved.keySet());
        }
        for (Map.Entry<String, float[]> e : mine.entrySet()) {
            float[] from = saved.get(e.getKey());
            if (from.length != e.getValue().length) {
                throw new IllegalArgumentException("optimizer buffer " + e.getKey() + " has " + e.getValue().length
                        + " values, the checkpoint has " + from.length);
            }
            System.arraycopy(from, 0, e.getValue(), 0, from.length);
        }
        this.steps = steps;
    }

    protected static Map<String, float[]> named(Object... nameThenBuffer) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < nameThenBuffer.length; i += 2) {
            if (nameThenBuffer[i + 1] != null) out.put((String) nameThenBuffer[i], (float[]) nameThenBuffer[i + 1]);
        }
        return out;
    }

    static void checkNonNegative(String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + v);
    }

    static void checkUnit(String what, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(what + " must be in [0, 1), got " + v);
    }
}
