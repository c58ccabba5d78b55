package org.rnnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link Kernel} on the Vector API ({@code jdk.incubator.vector}), {@link ScalarKernel}'s fast twin: every
 * method vectorised over {@link FloatVector#SPECIES_PREFERRED} (16 float lanes with AVX-512, 8 with AVX2; no
 * width is assumed), matrix products by {@link VectorGemm}, split over rows or columns of C on
 * {@link Parallelism}'s pool when they are large enough to repay it.
 *
 * <p>Nonlinearities use {@link VectorMath}'s polynomials (exact IEEE operations only), so results do not depend on
 * the JIT tier; vector tails use masks rather than scalar code, so every entry goes through the same arithmetic.
 * Products are deterministic for any thread count: each entry of C is computed by one part, the same way (see
 * {@link VectorGemm}). Agreement with the scalar kernel is tested per method in {@code VectorKernelTest}.
 *
 * <p>Loaded only through {@link Kernel#preferred()} / {@link Kernel#named}, which fall back to the scalar
 * kernel when the module is missing.
 */
final class VectorKernel implements Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** 1 in every lane, used in the loops directly: {@link VectorMath}'s constants say why. */
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final int L = S.length();
    static final VectorKernel INSTANCE = new VectorKernel();

    /** Multiply-adds per part below which splitting a product over threads costs more than it saves. */
    static final long PART_WORK = 1L << 17;

    private static final ThreadLocal<GemmJob> JOBS = ThreadLocal.withInitial(GemmJob::new);

    private VectorKernel() {}

    /** For {@link KernelChoice}: typed as the interface, so that loading the caller does not load this class. */
    static Kernel create() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String description() {
        return "vector (" + L + " float lanes, " + VectorGemm.MR + "x" + VectorGemm.NR + " tiles, blocks "
                + VectorGemm.KC + " deep " + VectorGemm.NC + " wide, "
                + Parallelism.describe() + ")";
    }

    // ---------------------------------------------------------------------------------------------- products

    /** Parts per thread: a thread the OS deschedules holds up only a small part, which the others then take. */
    static final int PARTS_PER_THREAD = 4;

    /** How many parts a product of {@code work} multiply-adds is split into. */
    static int parts(long work) {
        int threads = Parallelism.activeThreads();
        if (threads == 1 || work < 2 * PART_WORK) return 1;
        return (int) Math.min((long) PARTS_PER_THREAD * threads, work / PART_WORK);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        int plan = VectorGemm.plan(transA, transB, m, n, k);
        int parts = parts((long) m * n * k);
        if (parts == 1) {
            VectorGemm.run(plan, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        GemmJob job = JOBS.get();
        job.set(plan, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, null, c, cOff, ldc, accumulate);
        try {
            Parallelism.run(parts, job);
        } finally {
            job.clear();
        }
    }

    @Override
    public void sgemv(boolean transA, int rows, int cols, float[] a, int aOff, int lda,
                      float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        // A GEMV is a product with one row: x^T A^T (dot products of rows of A) or x^T A (a combination of them).
        if (!transA) sgemm(NO_TRANS, TRANS, 1, rows, cols, x, xOff, cols, a, aOff, lda, y, yOff, rows, accumulate);
        else sgemm(NO_TRANS, NO_TRANS, 1, cols, rows, x, xOff, rows, a, aOff, lda, y, yOff, cols, accumulate);
    }

    /** {@link PackedB#layout}: the blocked plan's panels ({@link VectorGemm#packAll}). */
    static final int PANELS = 1;
    /** {@link PackedB#layout}: op(B) as a plain row-major (k, n) matrix, for the row-combination plan. */
    static final int PLAIN = 2;

    /**
     * Panels whenever the product is blocked (packing once per pass is never worse than once per product). For a
     * few rows times a transposed B (the recurrence at batch 1), a plain copy of op(B) when it serves at least 4
     * products: the products then combine rows of op(B), with no horizontal sums, instead of taking dot products
     * (measured 2-4 times faster at H = 128). Otherwise the source itself.
     */
    @Override
    public PackedB newPackedB(boolean transB, int k, int n, int rows, int uses) {
        int plan = VectorGemm.plan(false, transB, Math.max(rows, 1), n, k);
        if (plan == VectorGemm.BLOCKED) return new PackedB(transB, k, n, new float[VectorGemm.packedSize(k, n)], PANELS);
        if (plan == VectorGemm.DOTS && uses >= 4) return new PackedB(transB, k, n, new float[k * n], PLAIN);
        return new PackedB(transB, k, n, null, 0);
    }

    @Override
    public PackedB newRowPanels(int k, int n) {
        return new PackedB(true, k, n, new float[VectorGemm.packedSize(k, n)], PANELS);
    }

    @Override
    public void pack(PackedB p, float[] b, int bOff, int ldb) {
        int need = p.trans ? (p.n == 0 ? 0 : (p.n - 1) * ldb + p.k) : (p.k == 0 ? 0 : (p.k - 1) * ldb + p.n);
        if (bOff < 0 || bOff + need > b.length) {
            throw new IndexOutOfBoundsException("B of " + need + " floats at " + bOff + " does not fit in " + b.length);
        }
        p.source = b;
        p.sourceOff = bOff;
        p.ld = ldb;
        if (p.layout == PANELS) VectorGemm.packAll(p.trans, p.k, p.n, b, bOff, ldb, p.packed);
        else if (p.layout == PLAIN) VectorGemm.copyOp(p.trans, p.k, p.n, b, bOff, ldb, p.packed);
    }

    @Override
    public void sgemm(int m, float[] a, int aOff, int lda, PackedB b, float[] c, int cOff, int ldc,
                      boolean accumulate) {
        b.requireFilled();
        if (b.packed == null || b.k == 0) {
            sgemm(NO_TRANS, b.trans, m, b.n, b.k, a, aOff, lda, b.source, b.sourceOff, b.ld, c, cOff, ldc, accumulate);
            return;
        }
        if (b.layout == PLAIN) {
            sgemm(NO_TRANS, NO_TRANS, m, b.n, b.k, a, aOff, lda, b.packed, 0, b.n, c, cOff, ldc, accumulate);
            return;
        }
        if (m == 0 || b.n == 0) return;
        int parts = parts((long) m * b.n * b.k);
        if (parts == 1) {
            VectorGemm.blockedRange(false, b.trans, m, b.n, b.k, 0, m, 0, b.n, a, aOff, lda, null, null, 0, 0, b.packed,
                    c, cOff, ldc, accumulate);
            return;
        }
        GemmJob job = JOBS.get();
        job.set(VectorGemm.BLOCKED, false, b.trans, m, b.n, b.k, a, aOff, lda, null, 0, 0, b.packed, c, cOff, ldc,
                accumulate);
        try {
            Parallelism.run(parts, job);
        } finally {
            job.clear();
        }
    }

    private static final ThreadLocal<Int8Job> INT8_JOBS = ThreadLocal.withInitial(Int8Job::new);

    /** {@link VectorInt8}'s product, split over whole panels of W's rows (columns of C) when large enough. */
    @Override
    public void gemmInt8(int m, float[] a, int aOff, int lda, Int8Matrix w, float[] c, int cOff, int ldc,
                         boolean accumulate) {
        int n = w.rows();
        if (m == 0 || n == 0) return;
        int parts = Math.min(parts((long) m * n * w.cols()), (n + VectorInt8.W - 1) / VectorInt8.W);
        if (parts <= 1) {
            VectorInt8.gemm(m, a, aOff, lda, w, 0, n, c, cOff, ldc, accumulate);
            return;
        }
        Int8Job job = INT8_JOBS.get();
        job.m = m;
        job.a = a;
        job.aOff = aOff;
        job.lda = lda;
        job.w = w;
        job.c = c;
        job.cOff = cOff;
        job.ldc = ldc;
        job.accumulate = accumulate;
        try {
            Parallelism.run(parts, job);
        } finally {
            job.a = job.c = null; // no reference kept to the caller's arrays
            job.w = null;
        }
    }

    /** One int8 product in parts of whole panels of W's rows; one per calling thread, reused. */
    private static final class Int8Job implements Parallelism.Task {
        int m;
        float[] a;
        int aOff;
        int lda;
        Int8Matrix w;
        float[] c;
        int cOff;
        int ldc;
        boolean accumulate;

        @Override
        public void run(int part, int parts) {
            int n = w.rows(), blocks = (n + VectorInt8.W - 1) / VectorInt8.W; // whole panels a part
            int j0 = Math.min(n, part * blocks / parts * VectorInt8.W);
            int j1 = Math.min(n, (part + 1) * blocks / parts * VectorInt8.W);
            if (j0 < j1) VectorInt8.gemm(m, a, aOff, lda, w, j0, j1, c, cOff, ldc, accumulate);
        }
    }

    /** The most floats the caller packs up front to share with the parts (16 MB). */
    static final int SHARE_MAX = 4 << 20;

    /**
     * One product split into parts over columns of C (whole panels of NR, or groups of 4 rows of a transposed
     * B), or over rows (whole slivers of MR) when C is taller than wide. In the blocked plan the operand every
     * part needs whole (A for column parts, B for row parts) is packed once by the caller, when it fits in
     * {@link #SHARE_MAX}, instead of by each part. One per calling thread, reused, with its packing buffers.
     */
    private static final class GemmJob implements Parallelism.Task {
        int plan;
        boolean transA;
        boolean transB;
        int m;
        int n;
        int k;
        float[] a;
        int aOff;
        int lda;
        float[] b;
        int bOff;
        int ldb;
        float[] packedA;
        float[] packedB;
        float[] c;
        int cOff;
        int ldc;
        boolean accumulate;
        boolean byColumns;
        private float[] bufA = new float[0];
        private float[] bufB = new float[0];

        void set(int plan, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, float[] givenPackedB, float[] c, int cOff, int ldc, boolean accumulate) {
            this.plan = plan;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.accumulate = accumulate;
            packedA = null;
            packedB = givenPackedB;
            byColumns = givenPackedB != null || plan == VectorGemm.DOTS || plan == VectorGemm.AXPY
                    || (plan == VectorGemm.BLOCKED && n >= m);
            if (plan != VectorGemm.BLOCKED) return;
            if (byColumns && VectorGemm.packedSizeA(m, k) <= SHARE_MAX) {
                int size = VectorGemm.packedSizeA(m, k);
                if (bufA.length < size) bufA = new float[size];
                VectorGemm.packAllA(transA, m, k, a, aOff, lda, bufA);
                packedA = bufA;
            } else if (!byColumns && VectorGemm.packedSize(k, n) <= SHARE_MAX) {
                int size = VectorGemm.packedSize(k, n);
                if (bufB.length < size) bufB = new float[size];
                VectorGemm.packAll(transB, k, n, b, bOff, ldb, bufB);
                packedB = bufB;
            }
        }

        void clear() {
            a = b = packedA = packedB = c = null; // no reference kept to the caller's arrays
        }

        @Override
        public void run(int part, int parts) {
            if (byColumns) {
                int unit = plan == VectorGemm.DOTS ? 4 : VectorGemm.NR;
                int units = (n + unit - 1) / unit;
                int j0 = Math.min(n, part * units / parts * unit), j1 = Math.min(n, (part + 1) * units / parts * unit);
                if (j0 >= j1) return;
                if (plan == VectorGemm.BLOCKED) {
                    VectorGemm.blockedRange(transA, transB, m, n, k, 0, m, j0, j1, a, aOff, lda, packedA, b, bOff, ldb,
                            packedB, c, cOff, ldc, accumulate);
                } else {
                    int bAt = bOff + (transB ? j0 * ldb : j0);
                    VectorGemm.run(plan, transA, transB, m, j1 - j0, k, a, aOff, lda, b, bAt, ldb, c, cOff + j0, ldc,
                            accumulate);
                }
            } else {
                int unit = plan == VectorGemm.BLOCKED ? VectorGemm.MR : 1;
                int units = (m + unit - 1) / unit;
                int i0 = Math.min(m, part * units / parts * unit), i1 = Math.min(m, (part + 1) * units / parts * unit);
                if (i0 >= i1) return;
                if (plan == VectorGemm.BLOCKED) {
                    VectorGemm.blockedRange(transA, transB, m, n, k, i0, i1, 0, n, a, aOff, lda, packedA, b, bOff, ldb,
                            packedB, c, cOff, ldc, accumulate);
                } else {
                    int aAt = aOff + (transA ? i0 : i0 * lda);
                    VectorGemm.run(plan, transA, transB, i1 - i0, n, k, a, aAt, lda, b, bOff, ldb, c, cOff + i0 * ldc,
                            ldc, accumulate);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- lanes

    /*
     * Elementwise loops run whole vectors, then the last n mod L entries in scalar code doing the same float
     * operations in the same order, so every entry gets the same bits whatever its position. The vector code is
     * written inside the loops (see VectorMath on why no helper takes or returns a vector); exp, sigmoid and tanh
     * are VectorMath's in-place loops, run over whole blocks of a row.
     */

    // ---------------------------------------------------------------------------------------------- broadcasts

    @Override
    public void addRowVector(int rows, int n, float[] v, int vOff, float[] c, int cOff, int ldc) {
        int bound = S.loopBound(n);
        for (int r = 0; r < rows; r++) {
            int cr = cOff + r * ldc;
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, c, cr + j).add(FloatVector.fromArray(S, v, vOff + j)).intoArray(c, cr + j);
            }
            for (; j < n; j++) c[cr + j] += v[vOff + j];
        }
    }

    @Override
    public void addColumnSums(int rows, int n, float[] a, int aOff, int lda, float[] sums, int sOff) {
        // Row by row, as the scalar kernel: each sum adds the rows in order, so the two agree bit for bit.
        int bound = S.loopBound(n);
        for (int r = 0; r < rows; r++) {
            int ar = aOff + r * lda;
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, sums, sOff + j).add(FloatVector.fromArray(S, a, ar + j)).intoArray(sums, sOff + j);
            }
            for (; j < n; j++) sums[sOff + j] += a[ar + j];
        }
    }

    // ---------------------------------------------------------------------------------------------- activations

    @Override
    public void tanh(int n, float[] x, int off) {
        VectorMath.tanhInPlace(x, off, n);
    }

    @Override
    public void relu(int n, float[] x, int off) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            // zero where x <= 0 (NaN compares false, so it stays NaN, as in torch.relu)
            v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = x[off + i] <= 0f ? 0f : x[off + i];
    }

    private static void lstmCellRows(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                     float[] c, int cOff, float[] h, int hOff) {
        int hh = hidden, bound = S.loopBound(hidden);
        for (int b = 0; b < batch; b++) {
            int g = gOff + b * 4 * hh, s = b * hh;
            VectorMath.sigmoidInPlace(gates, g, 2 * hh);           // i and f, side by side
            VectorMath.tanhInPlace(gates, g + 2 * hh, hh);         // g
            VectorMath.sigmoidInPlace(gates, g + 3 * hh, hh);      // o
            // c = f c' + i g, and a copy into h to take its tanh in place
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector in = FloatVector.fromArray(S, gates, g + j);
                FloatVector forget = FloatVector.fromArray(S, gates, g + hh + j);
                FloatVector cand = FloatVector.fromArray(S, gates, g + 2 * hh + j);
                FloatVector cj = forget.mul(FloatVector.fromArray(S, cPrev, cpOff + s + j)).add(in.mul(cand));
                cj.intoArray(c, cOff + s + j);
                cj.intoArray(h, hOff + s + j);
            }
            for (; j < hh; j++) {
                float cj = gates[g + hh + j] * cPrev[cpOff + s + j] + gates[g + j] * gates[g + 2 * hh + j];
                c[cOff + s + j] = cj;
                h[hOff + s + j] = cj;
            }
            VectorMath.tanhInPlace(h, hOff + s, hh);
            // h = o tanh(c)
            j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, gates, g + 3 * hh + j).mul(FloatVector.fromArray(S, h, hOff + s + j))
                        .intoArray(h, hOff + s + j);
            }
            for (; j < hh; j++) h[hOff + s + j] = gates[g + 3 * hh + j] * h[hOff + s + j];
        }
    }

    private static void gruCellRows(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                                    float[] hPrev, int hpOff, float[] h, int hOff) {
        int hh = hidden, bound = S.loopBound(hidden), bound2 = S.loopBound(2 * hidden);
        for (int b = 0; b < batch; b++) {
            int x = gxOff + b * 3 * hh, y = ghOff + b * 3 * hh, s = b * hh;
            // r and z: sigmoid(gx + gh), the two blocks side by side
            int j = 0;
            for (; j < bound2; j += L) {
                FloatVector.fromArray(S, gx, x + j).add(FloatVector.fromArray(S, gh, y + j)).intoArray(gx, x + j);
            }
            for (; j < 2 * hh; j++) gx[x + j] = gx[x + j] + gh[y + j];
            VectorMath.sigmoidInPlace(gx, x, 2 * hh);
            // n = tanh(gx_n + r gh_n)
            j = 0;
            for (; j < bound; j += L) {
                FloatVector r = FloatVector.fromArray(S, gx, x + j);
                FloatVector.fromArray(S, gx, x + 2 * hh + j).add(r.mul(FloatVector.fromArray(S, gh, y + 2 * hh + j)))
                        .intoArray(gx, x + 2 * hh + j);
            }
            for (; j < hh; j++) gx[x + 2 * hh + j] = gx[x + 2 * hh + j] + gx[x + j] * gh[y + 2 * hh + j];
            VectorMath.tanhInPlace(gx, x + 2 * hh, hh);
            // h = n + z (h' - n): PyTorch's own arrangement of (1 - z) n + z h', for the same rounding
            j = 0;
            for (; j < bound; j += L) {
                FloatVector z = FloatVector.fromArray(S, gx, x + hh + j);
                FloatVector nn = FloatVector.fromArray(S, gx, x + 2 * hh + j);
                nn.add(z.mul(FloatVector.fromArray(S, hPrev, hpOff + s + j).sub(nn))).intoArray(h, hOff + s + j);
            }
            for (; j < hh; j++) {
                float z = gx[x + hh + j], nn = gx[x + 2 * hh + j];
                h[hOff + s + j] = nn + z * (hPrev[hpOff + s + j] - nn);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- cells

    /** Entries (batch x hidden) of a cell step from which its rows are split over the pool. */
    static final int CELL_PARALLEL = 16384;

    private static int cellParts(int batch, int hidden) {
        int threads = Parallelism.activeThreads();
        if (threads == 1 || batch < 2 || (long) batch * hidden < CELL_PARALLEL) return 1;
        return Math.min(batch, threads);
    }

    @Override
    public void lstmCell(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                         float[] c, int cOff, float[] h, int hOff) {
        int parts = cellParts(batch, hidden);
        if (parts == 1) {
            lstmCellRows(batch, hidden, gates, gOff, cPrev, cpOff, c, cOff, h, hOff);
            return;
        }
        CellJob job = CELLS.get();
        job.set(CellJob.LSTM, batch, hidden, gates, gOff, cPrev, cpOff, c, cOff, h, hOff, null, 0, null, 0, null, 0,
                null, null, 0);
        job.runOn(parts);
    }

    @Override
    public void gruCell(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                        float[] hPrev, int hpOff, float[] h, int hOff) {
        int parts = cellParts(batch, hidden);
        if (parts == 1) {
            gruCellRows(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hpOff, h, hOff);
            return;
        }
        CellJob job = CELLS.get();
        job.set(CellJob.GRU, batch, hidden, gx, gxOff, gh, ghOff, hPrev, hpOff, h, hOff, null, 0, null, 0, null, 0,
                null, null, 0);
        job.runOn(parts);
    }

    @Override
    public void lstmCellBackward(int batch, int hidden, float[] gates, int gOff, float[] c, int cOff,
                                 float[] cPrev, int cpOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                                 float[] dc, int dcOff, float[] dGates, int dgOff) {
        int parts = cellParts(batch, hidden);
        if (parts == 1) {
            lstmCellBackwardRows(batch, hidden, gates, gOff, c, cOff, cPrev, cpOff, dh, dhOff, dOut, dOutOff, dc, dcOff,
                    dGates, dgOff);
            return;
        }
        CellJob job = CELLS.get();
        job.set(CellJob.LSTM_BACK, batch, hidden, gates, gOff, c, cOff, cPrev, cpOff, dh, dhOff, dOut, dOutOff, dc,
                dcOff, dGates, dgOff, null, null, 0);
        job.runOn(parts);
    }

    @Override
    public void gruCellBackward(int batch, int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                                float[] hPrev, int hpOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                                float[] dGx, float[] dGh, int dgOff) {
        int parts = cellParts(batch, hidden);
        if (parts == 1) {
            gruCellBackwardRows(batch, hidden, gates, gOff, gh, ghOff, hPrev, hpOff, dh, dhOff, dOut, dOutOff, dGx, dGh,
                    dgOff);
            return;
        }
        CellJob job = CELLS.get();
        job.set(CellJob.GRU_BACK, batch, hidden, gates, gOff, gh, ghOff, hPrev, hpOff, dh, dhOff, dOut, dOutOff, null,
                0, null, 0, dGx, dGh, dgOff);
        job.runOn(parts);
    }

    private static final ThreadLocal<CellJob> CELLS = ThreadLocal.withInitial(CellJob::new);

    /** A cell step (or its backward) split over batch rows: rows are independent, each is done by one part. */
    private static final class CellJob implements Parallelism.Task {
        static final int LSTM = 0;
        static final int GRU = 1;
        static final int LSTM_BACK = 2;
        static final int GRU_BACK = 3;
        int op;
        int batch;
        int hidden;
        float[] x0;
        float[] x1;
        float[] x2;
        float[] x3;
        float[] x4;
        float[] x5;
        float[] x6;
        float[] y0;
        float[] y1;
        int o0;
        int o1;
        int o2;
        int o3;
        int o4;
        int o5;
        int o6;
        int oy;

        void set(int op, int batch, int hidden, float[] x0, int o0, float[] x1, int o1, float[] x2, int o2,
                 float[] x3, int o3, float[] x4, int o4, float[] x5, int o5, float[] x6, int o6,
                 float[] y0, float[] y1, int oy) {
            this.op = op;
            this.batch = batch;
            this.hidden = hidden;
            this.x0 = x0;
            this.x1 = x1;
            this.x2 = x2;
            this.x3 = x3;
            this.x4 = x4;
            this.x5 = x5;
            this.x6 = x6;
            this.y0 = y0;
            this.y1 = y1;
            this.o0 = o0;
            this.o1 = o1;
            this.o2 = o2;
            this.o3 = o3;
            this.o4 = o4;
            this.o5 = o5;
            this.o6 = o6;
            this.oy = oy;
        }

        void runOn(int parts) {
            try {
                Parallelism.run(parts, this);
            } finally {
                x0 = x1 = x2 = x3 = x4 = x5 = x6 = y0 = y1 = null;
            }
        }

        @Override
        public void run(int part, int parts) {
            int b0 = part * batch / parts, b1 = (part + 1) * batch / parts, rows = b1 - b0, h = hidden;
            if (rows == 0) return;
            switch (op) {
                case LSTM -> lstmCellRows(rows, h, x0, o0 + b0 * 4 * h, x1, o1 + b0 * h, x2, o2 + b0 * h, x3,
                        o3 + b0 * h);
                case GRU -> gruCellRows(rows, h, x0, o0 + b0 * 3 * h, x1, o1 + b0 * 3 * h, x2, o2 + b0 * h, x3,
                        o3 + b0 * h);
                case LSTM_BACK -> lstmCellBackwardRows(rows, h, x0, o0 + b0 * 4 * h, x1, o1 + b0 * h, x2, o2 + b0 * h,
                        x3, o3 + b0 * h, x4, o4 + b0 * h, x5, o5 + b0 * h, x6, o6 + b0 * 4 * h);
                default -> gruCellBackwardRows(rows, h, x0, o0 + b0 * 3 * h, x1, o1 + b0 * 3 * h, x2, o2 + b0 * h, x3,
                        o3 + b0 * h, x4, o4 + b0 * h, y0, y1, oy + b0 * 3 * h);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- backward

    private static void lstmCellBackwardRows(int batch, int hidden, float[] gates, int gOff, float[] c, int cOff,
                                             float[] cPrev, int cpOff, float[] dh, int dhOff, float[] dOut,
                                             int dOutOff, float[] dc, int dcOff, float[] dGates, int dgOff) {
        int hh = hidden, bound = S.loopBound(hidden);
        for (int b = 0; b < batch; b++) {
            int q = b * 4 * hh, s = b * hh;
            // tanh(c_t) goes where d(a_o) will: that block is written last, entry by entry after reading it
            int tc = dgOff + q + 3 * hh;
            System.arraycopy(c, cOff + s, dGates, tc, hh);
            VectorMath.tanhInPlace(dGates, tc, hh);
            int j = 0;
            for (; j < bound; j += L) {
                int g = gOff + q + j, e = s + j, d = dgOff + q + j;
                FloatVector i = FloatVector.fromArray(S, gates, g);
                FloatVector f = FloatVector.fromArray(S, gates, g + hh);
                FloatVector gg = FloatVector.fromArray(S, gates, g + 2 * hh);
                FloatVector o = FloatVector.fromArray(S, gates, g + 3 * hh);
                FloatVector tanhC = FloatVector.fromArray(S, dGates, tc + j);
                FloatVector dH = FloatVector.fromArray(S, dh, dhOff + e).add(FloatVector.fromArray(S, dOut, dOutOff + e));
                FloatVector dO = dH.mul(tanhC);                                         // back through h = o tanh(c)
                FloatVector dC = FloatVector.fromArray(S, dc, dcOff + e)
                        .add(dH.mul(o).mul(ONE.sub(tanhC.mul(tanhC))));                 // ... and into c
                FloatVector dI = dC.mul(gg);                                            // back through c = f c' + i g
                FloatVector dF = dC.mul(FloatVector.fromArray(S, cPrev, cpOff + e));
                FloatVector dG = dC.mul(i);
                dC.mul(f).intoArray(dc, dcOff + e);                                     // into c_{t-1}
                dI.mul(i).mul(ONE.sub(i)).intoArray(dGates, d);                         // back through the gates
                dF.mul(f).mul(ONE.sub(f)).intoArray(dGates, d + hh);
                dG.mul(ONE.sub(gg.mul(gg))).intoArray(dGates, d + 2 * hh);
                dO.mul(o).mul(ONE.sub(o)).intoArray(dGates, d + 3 * hh);
            }
            for (; j < hh; j++) {
                int g = gOff + q + j, e = s + j, d = dgOff + q + j;
                float i = gates[g], f = gates[g + hh], gg = gates[g + 2 * hh], o = gates[g + 3 * hh];
                float tanhC = dGates[tc + j];
                float dH = dh[dhOff + e] + dOut[dOutOff + e];
                float dO = dH * tanhC;
                float dC = dc[dcOff + e] + dH * o * (1f - tanhC * tanhC);
                float dI = dC * gg, dF = dC * cPrev[cpOff + e], dG = dC * i;
                dc[dcOff + e] = dC * f;
                dGates[d] = dI * i * (1f - i);
                dGates[d + hh] = dF * f * (1f - f);
                dGates[d + 2 * hh] = dG * (1f - gg * gg);
                dGates[d + 3 * hh] = dO * o * (1f - o);
            }
        }
    }

    private static void gruCellBackwardRows(int batch, int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                                            float[] hPrev, int hpOff, float[] dh, int dhOff, float[] dOut,
                                            int dOutOff, float[] dGx, float[] dGh, int dgOff) {
        int hh = hidden, bound = S.loopBound(hidden);
        for (int b = 0; b < batch; b++) {
            int q = b * 3 * hh, s = b * hh;
            int j = 0;
            for (; j < bound; j += L) {
                int g = gOff + q + j, e = s + j, d = dgOff + q + j;
                FloatVector r = FloatVector.fromArray(S, gates, g);
                FloatVector z = FloatVector.fromArray(S, gates, g + hh);
                FloatVector n = FloatVector.fromArray(S, gates, g + 2 * hh);
                FloatVector ghN = FloatVector.fromArray(S, gh, ghOff + q + j + 2 * hh);
                FloatVector dH = FloatVector.fromArray(S, dh, dhOff + e).add(FloatVector.fromArray(S, dOut, dOutOff + e));
                FloatVector dN = dH.mul(ONE.sub(z));                                    // back through h = (1-z) n + z h'
                FloatVector dZ = dH.mul(FloatVector.fromArray(S, hPrev, hpOff + e).sub(n));
                dH.mul(z).intoArray(dh, dhOff + e);                                     // into h_{t-1} directly
                FloatVector dAn = dN.mul(ONE.sub(n.mul(n)));                            // back through n = tanh(a_n)
                FloatVector dAr = dAn.mul(ghN).mul(r).mul(ONE.sub(r));                  // through a_n, then sigmoid
                FloatVector dAz = dZ.mul(z).mul(ONE.sub(z));
                dAr.intoArray(dGx, d);
                dAr.intoArray(dGh, d);
                dAz.intoArray(dGx, d + hh);
                dAz.intoArray(dGh, d + hh);
                dAn.intoArray(dGx, d + 2 * hh);
                dAn.mul(r).intoArray(dGh, d + 2 * hh);
            }
            for (; j < hh; j++) {
                int g = gOff + q + j, e = s + j, d = dgOff + q + j;
                float r = gates[g], z = gates[g + hh], n = gates[g + 2 * hh], ghN = gh[ghOff + q + j + 2 * hh];
                float dH = dh[dhOff + e] + dOut[dOutOff + e];
                float dN = dH * (1f - z);
                float dZ = dH * (hPrev[hpOff + e] - n);
                dh[dhOff + e] = dH * z;
                float dAn = dN * (1f - n * n);
                float dAr = dAn * ghN * r * (1f - r);
                float dAz = dZ * z * (1f - z);
                dGx[d] = dAr;
                dGh[d] = dAr;
                dGx[d + hh] = dAz;
                dGh[d + hh] = dAz;
                dGx[d + 2 * hh] = dAn;
                dGh[d + 2 * hh] = dAn * r;
            }
        }
    }

    @Override
    public void tanhBackward(int n, float[] h, int hOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                             float[] dA, int dAOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector hv = FloatVector.fromArray(S, h, hOff + i);
            FloatVector d = FloatVector.fromArray(S, dh, dhOff + i).add(FloatVector.fromArray(S, dOut, dOutOff + i));
            d.mul(ONE.sub(hv.mul(hv))).intoArray(dA, dAOff + i);
        }
        for (; i < n; i++) {
            float hi = h[hOff + i];
            dA[dAOff + i] = (dh[dhOff + i] + dOut[dOutOff + i]) * (1f - hi * hi);
        }
    }

    @Override
    public void reluBackward(int n, float[] h, int hOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                             float[] dA, int dAOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, dh, dhOff + i).add(FloatVector.fromArray(S, dOut, dOutOff + i));
            d.blend(0f, FloatVector.fromArray(S, h, hOff + i).compare(VectorOperators.GT, 0f).not())
                    .intoArray(dA, dAOff + i);
        }
        for (; i < n; i++) dA[dAOff + i] = h[hOff + i] > 0 ? dh[dhOff + i] + dOut[dOutOff + i] : 0f;
    }

    // ---------------------------------------------------------------------------------------------- softmax

    private static float max(float[] x, int off, int n) {
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) mv = mv.max(FloatVector.fromArray(S, x, off + i));
        float max = mv.reduceLanes(VectorOperators.MAX); // exact in any order
        for (; i < n; i++) max = Math.max(max, x[off + i]);
        return max;
    }

    /** Elements per block of {@link #sumOfSquares}: a multiple of four vectors for every lane count. */
    private static final int SQUARES_BLOCK = 1024;
    /** A vector's lanes, to add in a fixed order (FloatVector.lane(i) is not compiled to one instruction). */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    @Override
    public double sumOfSquares(float[] x, int off, int n) {
        // Squares summed in float vectors within blocks of 1024 (64 terms a lane, a relative error of a few float
        // ulps), the block sums in double; a block whose float sum overflows (or holds NaN) is summed in double,
        // so the result overflows only where the double sum does. Lanes are added in a fixed order, not with
        // reduceLanes (whose order may change once compiled), so the result is the same before and after the JIT.
        double total = 0;
        float[] lanes = n >= SQUARES_BLOCK ? LANES.get() : null;
        int i = 0;
        for (; i + SQUARES_BLOCK <= n; i += SQUARES_BLOCK) {
            int o = off + i;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < SQUARES_BLOCK; j += 4 * L) {
                FloatVector v0 = FloatVector.fromArray(S, x, o + j);
                FloatVector v1 = FloatVector.fromArray(S, x, o + j + L);
                FloatVector v2 = FloatVector.fromArray(S, x, o + j + 2 * L);
                FloatVector v3 = FloatVector.fromArray(S, x, o + j + 3 * L);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
            float block = 0;
            for (int lane = 0; lane < L; lane++) block += lanes[lane];
            total += Float.isFinite(block) ? block : ScalarKernel.INSTANCE.sumOfSquares(x, o, SQUARES_BLOCK);
        }
        return total + ScalarKernel.INSTANCE.sumOfSquares(x, off + i, n - i);
    }

    @Override
    public double logSumExp(float[] x, int off, int n) {
        float max = max(x, off, n);
        // All -inf (sum would be 0/0) or +inf or NaN: the maximum already is the answer.
        if (Float.isInfinite(max) || Float.isNaN(max)) return max;
        return max + Math.log(VectorMath.expShifted(x, off, n, max, 0f, 1f, null, 0));
    }

    @Override
    public void softmax(float[] x, int off, int n, float[] out, int outOff) {
        float max = max(x, off, n);
        float total = VectorMath.expShifted(x, off, n, max, 0f, 1f, out, outOff);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, out, outOff + i).div(total).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] /= total;
    }

    @Override
    public void softmaxCrossEntropyBackward(int rows, int n, float[] logits, int[] targets, double[] lse,
                                            double scale, float[] d) {
        float sc = (float) scale;
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            // lse as hi + lo floats: logit - hi is exact wherever p matters (logit near lse), so p keeps float
            // accuracy even for large logits, where rounding lse to float alone would cost digits
            float hi = (float) lse[r], lo = (float) (lse[r] - hi);
            VectorMath.expShifted(logits, o, n, hi, lo, sc, d, o);
            int t = targets[r];
            // p - 1 at the target cancels when p is near 1: computed in double from the exact lse.
            d[o + t] = (float) (scale * (Math.exp(logits[o + t] - lse[r]) - 1));
        }
    }
}
