package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.rnnlab.util.Rng;

class BatcherTest {
    private static int[] range(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i;
        return t;
    }

    @Test
    void windowsVisitEveryWindowOnceAnEpochWithShiftedTargets() {
        int[] tokens = range(20);
        Batcher b = new Batcher.Windows(tokens, 4, 5, new Rng(1));
        assertThat(b.batchesPerEpoch()).isEqualTo(4); // 15 windows: 4 + 4 + 4 + 3
        int[] in = new int[20];
        int[] out = new int[20];
        Set<Integer> starts = new HashSet<>();
        List<Integer> sizes = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            int n = b.next(in, out);
            sizes.add(n);
            for (int s = 0; s < n; s++) {
                starts.add(in[s * 5]);
                for (int t = 0; t < 5; t++) {
                    assertThat(in[s * 5 + t]).isEqualTo(in[s * 5] + t);
                    assertThat(out[s * 5 + t]).isEqualTo(in[s * 5 + t] + 1);
                }
            }
            assertThat(b.freshState()).isTrue();
        }
        assertThat(sizes).containsExactly(4, 4, 4, 3);
        assertThat(starts).hasSize(15);
        assertThat(b.epoch()).isEqualTo(1);
        assertThat(b.batchInEpoch()).isZero();
    }

    @Test
    void windowsReshuffleEachEpochAndTheSameSeedGivesTheSameOrder() {
        int[] tokens = range(50);
        Batcher a = new Batcher.Windows(tokens, 1, 3, new Rng(7));
        Batcher c = new Batcher.Windows(tokens, 1, 3, new Rng(7));
        int[] in = new int[3];
        int[] out = new int[3];
        List<Integer> first = new ArrayList<>();
        List<Integer> second = new ArrayList<>();
        for (int k = 0; k < 47; k++) {
            a.next(in, out);
            first.add(in[0]);
            c.next(in, out);
            assertThat(in[0]).isEqualTo(first.get(k));
        }
        for (int k = 0; k < 47; k++) {
            a.next(in, out);
            second.add(in[0]);
        }
        assertThat(second).containsExactlyInAnyOrderElementsOf(first).isNotEqualTo(first);
    }

    @Test
    void streamsAreContiguousAndCarryStateUntilTheyWrap() {
        int[] tokens = range(25); // B=2: streams of (25-1)/2 = 12 tokens, T=5: 2 chunks an epoch
        Batcher b = new Batcher.Stream(tokens, 2, 5);
        assertThat(b.batchesPerEpoch()).isEqualTo(2);
        int[] in = new int[10];
        int[] out = new int[10];
        b.next(in, out);
        assertThat(b.freshState()).isTrue();
        assertThat(in).containsExactly(0, 1, 2, 3, 4, 12, 13, 14, 15, 16);
        assertThat(out).containsExactly(1, 2, 3, 4, 5, 13, 14, 15, 16, 17);
        b.next(in, out);
        assertThat(b.freshState()).isFalse();
        assertThat(in).containsExactly(5, 6, 7, 8, 9, 17, 18, 19, 20, 21);
        b.next(in, out);
        assertThat(b.freshState()).isTrue();
        assertThat(b.epoch()).isEqualTo(1);
        assertThat(in[0]).isZero();
    }

    @Test
    void restoringAPositionContinuesExactly() {
        for (Batching mode : Batching.values()) {
            int[] tokens = range(200);
            Batcher a = Batchers.fit(mode, tokens, 3, 7, new Rng(3), w -> {});
            int[] in = new int[21];
            int[] out = new int[21];
            for (int k = 0; k < 13; k++) a.next(in, out);
            Batcher b = Batchers.fit(mode, tokens, 3, 7, new Rng(99), w -> {});
            b.restore(a.position());
            int[] in2 = new int[21];
            int[] out2 = new int[21];
            for (int k = 0; k < 30; k++) {
                int n = a.next(in, out);
                assertThat(b.next(in2, out2)).isEqualTo(n);
                assertThat(in2).as("%s batch %d", mode, k).containsExactly(in);
                assertThat(b.freshState()).isEqualTo(a.freshState());
            }
        }
    }

    @Test
    void aSmallCorpusShrinksTheBatchWithAWarning() {
        List<String> warnings = new ArrayList<>();
        Batcher w = Batchers.fit(Batching.WINDOWS, range(12), 32, 10, new Rng(1), warnings::add);
        assertThat(w.batchSize()).isEqualTo(2);
        Batcher s = Batchers.fit(Batching.STREAM, range(35), 32, 10, new Rng(1), warnings::add);
        assertThat(s.batchSize()).isEqualTo(3);
        assertThat(warnings).containsExactly(
                "the text has only 2 windows of 10 steps; batch shrinks from 32 to 2",
                "the text has 35 characters, enough for 3 streams of 10 steps; batch shrinks from 32 to 3");
    }

    @Test
    void aCorpusShorterThanOneSequenceIsAClearError() {
        assertThatThrownBy(() -> Batchers.fit(Batching.WINDOWS, range(40), 1, 40, new Rng(1), w -> {}))
                .hasMessage("windows of 40 steps need at least 41 characters; the text has 40 (lower --seq)");
        assertThatThrownBy(() -> Batchers.fit(Batching.STREAM, range(10), 4, 40, new Rng(1), w -> {}))
                .hasMessage("stream mode with 4 streams of 40 steps needs at least 161 characters; the text has 10 (lower --batch or --seq)");
        assertThatThrownBy(() -> Batching.parse("random")).hasMessageContaining("use windows or stream");
    }

    @Test
    void thePermutationOfALongTextVisitsEveryPositionOnceInAnOrderThatLooksShuffled() {
        for (long n : new long[] {1, 2, 3, 5, 64, 65, 1000, 100_003}) {
            Batcher.Permutation p = new Batcher.Permutation(n);
            p.rekey(new Rng(n));
            boolean[] seen = new boolean[(int) n];
            long fixed = 0;
            long ascending = 0;
            long previous = -1;
            for (long i = 0; i < n; i++) {
                long x = p.apply(i);
                assertThat(x).isBetween(0L, n - 1);
                assertThat(seen[(int) x]).as("n %d: %d twice", n, x).isFalse();
                seen[(int) x] = true;
                if (x == i) fixed++;
                if (x > previous) ascending++;
                previous = x;
            }
            if (n >= 1000) { // a shuffle has about one fixed point, and rises half the time
                assertThat(fixed).as("fixed points of %d", n).isLessThan(10);
                assertThat((double) ascending / n).isBetween(0.45, 0.55);
            }
        }
        // New keys, a new order; the same keys, the same order.
        Batcher.Permutation a = new Batcher.Permutation(1000);
        Batcher.Permutation b = new Batcher.Permutation(1000);
        a.rekey(new Rng(1));
        b.rekey(new Rng(1));
        assertThat(a.apply(17)).isEqualTo(b.apply(17));
        b.rekey(new Rng(2));
        long same = java.util.stream.LongStream.range(0, 1000).filter(i -> a.apply(i) == b.apply(i)).count();
        assertThat(same).isLessThan(10);
    }

    @Test
    void windowsPastTheInMemoryShuffleStillVisitEachOnceAnEpochAndResumeExactly() {
        org.rnnlab.text.Tokens tokens = org.rnnlab.text.Tokens.of(range(3000));
        Batcher.Windows w = new Batcher.Windows(tokens, 16, 10, new Rng(4), 100); // 2990 windows > 100: permuted
        Batcher.Windows twin = new Batcher.Windows(tokens, 16, 10, new Rng(4), 100);
        int[] in = new int[160];
        int[] out = new int[160];
        for (int epoch = 0; epoch < 2; epoch++) {
            Set<Integer> starts = new HashSet<>();
            for (long k = 0; k < w.batchesPerEpoch(); k++) {
                int n = w.next(in, out);
                for (int s = 0; s < n; s++) {
                    assertThat(starts.add(in[s * 10])).isTrue();
                    assertThat(out[s * 10 + 9]).isEqualTo(in[s * 10] + 10);
                }
                if (epoch == 1 && k == 50) { // a checkpoint mid-epoch, restored into a fresh batcher
                    twin.restore(w.position());
                }
            }
            assertThat(starts).hasSize(2990);
        }
        // After the restore, the twin continues exactly as the original.
        int[] in2 = new int[160];
        int[] out2 = new int[160];
        twin.restore(w.position());
        for (int k = 0; k < 300; k++) {
            w.next(in, out);
            twin.next(in2, out2);
            assertThat(in2).isEqualTo(in);
        }
    }
}
