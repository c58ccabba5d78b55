package org.rnnlab.train;

/**
 * Learning-rate schedules, stepped once per epoch (or per evaluation), with PyTorch's rules:
 * {@link Step} is {@code StepLR} and {@link Plateau} is {@code ReduceLROnPlateau} (mode min, relative threshold).
 * Each is a small state machine whose state a checkpoint saves ({@link #state}) and restores.
 */
public sealed interface LrSchedule {
    /** Called after an epoch with its validation loss (or training loss without validation); returns the new lr. */
    double next(double currentLr, double metric);

    /** The schedule's mutable state as numbers, for checkpoints. */
    double[] state();

    void restore(double[] state);

    /** No schedule: the learning rate never changes. */
    record Constant() implements LrSchedule {
        @Override
        public double next(double currentLr, double metric) {
            return currentLr;
        }

        @Override
        public double[] state() {
            return new double[0];
        }

        @Override
        public void restore(double[] state) {}
    }

    /** {@code StepLR(step_size, gamma)}: the lr is multiplied by {@code gamma} every {@code every} epochs. */
    final class Step implements LrSchedule {
        private final int every;
        private final double gamma;
        private long epochs;

        public Step(int every, double gamma) {
            if (every < 1) throw new IllegalArgumentException("lr step size must be at least 1 epoch, got " + every);
            if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("lr decay factor must be in (0, 1], got " + gamma);
            this.every = every;
            this.gamma = gamma;
        }

        @Override
        public double next(double currentLr, double metric) {
            epochs++;
            return epochs % every == 0 ? currentLr * gamma : currentLr;
        }

        @Override
        public double[] state() {
            return new double[] {epochs};
        }

        @Override
        public void restore(double[] state) {
            epochs = (long) state[0];
        }
    }

    /**
     * {@code ReduceLROnPlateau(mode="min", factor, patience, threshold=1e-4, threshold_mode="rel", cooldown, min_lr)}:
     * when the metric has not improved on the best by more than the relative threshold for more than
     * {@code patience} epochs, the lr is multiplied by {@code factor} (not below {@code minLr}), then
     * {@code cooldown} epochs pass before counting again.
     */
    final class Plateau implements LrSchedule {
        private final double factor;
        private final int patience;
        private final double threshold;
        private final int cooldown;
        private final double minLr;
        private double best = Double.POSITIVE_INFINITY;
        private int badEpochs;
        private int cooldownLeft;

        public Plateau(double factor, int patience, double threshold, int cooldown, double minLr) {
            if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("plateau factor must be in (0, 1), got " + factor);
            if (patience < 0) throw new IllegalArgumentException("plateau patience must be >= 0, got " + patience);
            if (cooldown < 0) throw new IllegalArgumentException("plateau cooldown must be >= 0, got " + cooldown);
            this.factor = factor;
            this.patience = patience;
            this.threshold = threshold;
            this.cooldown = cooldown;
            this.minLr = minLr;
        }

        /** PyTorch's defaults: factor 0.1, patience 10, threshold 1e-4, no cooldown, no floor. */
        public static Plateau defaults() {
            return new Plateau(0.1, 10, 1e-4, 0, 0);
        }

        @Override
        public double next(double currentLr, double metric) {
            if (metric < best * (1 - threshold)) {
                best = metric;
                badEpochs = 0;
            } else {
                badEpochs++;
            }
            if (cooldownLeft > 0) {
                cooldownLeft--;
                badEpochs = 0;
            }
            if (badEpochs > patience) {
                double reduced = Math.max(currentLr * factor, minLr);
                badEpochs = 0;
                cooldownLeft = cooldown;
                // PyTorch ignores reductions smaller than eps=1e-8.
                if (currentLr - reduced > 1e-8) return reduced;
            }
            return currentLr;
        }

        @Override
        public double[] state() {
            return new double[] {best, badEpochs, cooldownLeft};
        }

        @Override
        public void restore(double[] state) {
            best = state[0];
            badEpochs = (int) state[1];
            cooldownLeft = (int) state[2];
        }
    }
}
