package dev.descent.tensor;

/**
 * A seeded, splittable pseudo-random generator (SplitMix64, Steele, Lea &amp; Flood 2014).
 *
 * <p>Determinism is the point: the same seed gives the same stream on every JVM version, and
 * {@link #split()} derives an independent child generator so that, e.g., parameter
 * initialisation and data shuffling never share a stream (the JAX idea of explicit keys, in a
 * mutable Java object). Not thread-safe: give each thread its own split.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;
    private double spareNormal;
    private boolean hasSpare;

    /** A generator seeded with {@code seed}. */
    public Rng(long seed) {
        this.state = mix(seed);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next 64 random bits. */
    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** A new generator whose stream is independent of this one's continuation. */
    public Rng split() {
        return new Rng(nextLong() ^ 0x5DEECE66DL);
    }

    /** Uniform double in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform int in [0, bound) without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        }
        long r = nextLong() >>> 33;
        long m = r * bound;
        long l = m & 0x7FFFFFFFL;
        if (l < bound) {
            long t = (0x80000000L - bound) % bound;
            while (l < t) {
                r = nextLong() >>> 33;
                m = r * bound;
                l = m & 0x7FFFFFFFL;
            }
        }
        return (int) (m >>> 31);
    }

    /** Standard normal by the Marsaglia polar method (pairs, one cached). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u, v, s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.sqrt(-2 * Math.log(s) / s);
        spareNormal = v * f;
        hasSpare = true;
        return u * f;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** A tensor of i.i.d. U[lo, hi) values. */
    public Tensor uniform(DType dtype, double lo, double hi, int... shape) {
        if (!(hi >= lo)) {
            throw new IllegalArgumentException("uniform: need lo <= hi, got lo=" + lo + ", hi=" + hi);
        }
        Shape s = Shape.of(shape);
        double[] d = new double[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * nextDouble();
        return Tensor.of(d, shape).to(dtype);
    }

    /** A tensor of i.i.d. N(mean, std²) values. */
    public Tensor normal(DType dtype, double mean, double std, int... shape) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal: std must be >= 0, got " + std);
        }
        Shape s = Shape.of(shape);
        double[] d = new double[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = mean + std * nextGaussian();
        return Tensor.of(d, shape).to(dtype);
    }
}
