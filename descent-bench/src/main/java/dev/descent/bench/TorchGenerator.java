package dev.descent.bench;

import dev.descent.tensor.Tensor;

/**
 * PyTorch's CPU random generator, reproduced so that the benchmark workloads start from the same
 * numbers and visit the data in the same order as {@code peer_torch.py}: the same seed gives the
 * same initial weights, the same per-epoch permutations and the same adding-problem batches.
 *
 * <p>PyTorch 1.13's {@code CPUGeneratorImpl} is a 32-bit Mersenne Twister (MT19937, Matsumoto
 * &amp; Nishimura 1998) seeded with {@code init_genrand(seed mod 2³²)}; on top of its 32-bit
 * draws:
 * <ul>
 *   <li>{@code uniform_(from, to)} on float32 (serial CPU kernel): x = (r &amp; (2²⁴−1))·2⁻²⁴,
 *       value = x·(to − from) + from in float32 with a fused multiply-add;</li>
 *   <li>{@code randperm(n)}: identity, then for i = 0..n−2 swap entries i and i + (r mod (n − i));</li>
 *   <li>{@code randint(low, high)} for a range below 2³²: low + (r mod (high − low)).</li>
 * </ul>
 * These were checked against torch 1.13 on this machine (see the tests). Later PyTorch versions
 * changed {@code randperm}; this class follows 1.13, the peer's version.
 *
 * <p>Not thread-safe.
 */
public final class TorchGenerator {
    private static final int N = 624, M = 397;
    private final int[] state = new int[N];
    private int next = N;

    /** A generator in the state of {@code torch.Generator().manual_seed(seed)} (or {@code torch.manual_seed}). */
    public TorchGenerator(long seed) {
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            state[j] = 1812433253 * (state[j - 1] ^ (state[j - 1] >>> 30)) + j;
        }
    }

    /** The next 32 random bits, as an unsigned value in [0, 2³²). */
    public long random() {
        if (next >= N) twist();
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xFFFFFFFFL;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
            int v = state[(i + M) % N] ^ (y >>> 1);
            state[i] = (y & 1) != 0 ? v ^ 0x9908b0df : v;
        }
        next = 0;
    }

    /** One float32 draw of {@code uniform_(from, to)}. */
    // NOTE: x·(to − from) + from with one rounding: PyTorch's CPU kernels are built with FMA
    // enabled and GCC contracts the expression (checked: a separate multiply and add differs from
    // torch in the last bit of about one value in three).
    public float uniform(float from, float to) {
        float x = (random() & 0xFFFFFF) * 0x1.0p-24f;
        return Math.fma(x, to - from, from);
    }

    /** A float32 tensor filled as {@code torch.empty(shape).uniform_(from, to)}, in row-major order. */
    public Tensor uniform(float from, float to, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = uniform(from, to);
        return Tensor.wrap(v, shape);
    }

    /** {@code torch.randperm(n, generator=this)}. */
    public int[] randperm(int n) {
        if (n < 0) throw new IllegalArgumentException("randperm: n must be >= 0, got " + n);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (random() % (n - i));
            int t = p[i];
            p[i] = p[z + i];
            p[z + i] = t;
        }
        return p;
    }

    /** {@code torch.randint(low, high, (count,), generator=this)} for a range below 2³². */
    public int[] randint(int low, int high, int count) {
        if (!(high > low)) throw new IllegalArgumentException("randint: need low < high, got low=" + low + ", high=" + high);
        int[] out = new int[count];
        long range = (long) high - low;
        for (int i = 0; i < count; i++) out[i] = (int) (low + random() % range);
        return out;
    }

    /**
     * The parameters of {@code nn.Linear(in, out)} as PyTorch's {@code reset_parameters} draws
     * them from this generator: weight [out, in] then bias [out], both U(−1/√in, 1/√in)
     * ({@code kaiming_uniform_(a=√5)} gives exactly that bound), float32.
     *
     * @return {weight, bias}
     */
    public Tensor[] linear(int in, int out) {
        float bound = (float) (1 / Math.sqrt(in));
        Tensor w = uniform(-bound, bound, out, in);
        Tensor b = uniform(-bound, bound, out);
        return new Tensor[] {w, b};
    }

    /**
     * The parameters of a one-layer {@code nn.RNN(in, hidden)} in PyTorch's registration and draw
     * order, all U(−1/√hidden, 1/√hidden), float32.
     *
     * @return {weight_ih [hidden, in], weight_hh [hidden, hidden], bias_ih [hidden], bias_hh [hidden]}
     */
    public Tensor[] rnn(int in, int hidden) {
        float bound = (float) (1 / Math.sqrt(hidden));
        return new Tensor[] {uniform(-bound, bound, hidden, in), uniform(-bound, bound, hidden, hidden),
                uniform(-bound, bound, hidden), uniform(-bound, bound, hidden)};
    }
}
