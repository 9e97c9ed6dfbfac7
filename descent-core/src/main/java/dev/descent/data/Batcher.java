package dev.descent.data;

import dev.descent.tensor.Rng;

/**
 * Minibatches of a {@link Dataset}, epoch after epoch, in a seeded random order.
 *
 * <p>Epoch {@code e} visits the samples in the order {@code new Rng(k + e·φ).permutation(N)},
 * where {@code k = new Rng(seed).nextLong()} and φ = 0x9E3779B97F4A7C15 (the golden-ratio
 * increment of SplitMix64): each epoch's order is a function of (seed, epoch) alone, so a
 * {@link Cursor} (epoch, position) is all that resuming needs, with no replay of earlier epochs.
 * An epoch yields ⌈N/B⌉ batches; the last one holds the remaining N mod B samples unless
 * {@code dropLast} is set (PyTorch's {@code DataLoader} default keeps it too). With
 * {@code shuffle = false} every epoch is 0..N−1 in order.
 */
public final class Batcher implements BatchStream {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long epochKey;
    private long epoch;
    private int position;
    private int[] order;
    private long orderEpoch = -1;

    /** Shuffled batches that keep the final partial batch of each epoch. */
    public Batcher(Dataset data, int batchSize, long seed) {
        this(data, batchSize, seed, true, false);
    }

    /**
     * Batches of {@code batchSize} samples of {@code data}; see the class comment for the order.
     *
     * @throws IllegalArgumentException if batchSize is not positive, or if dropLast leaves no
     *     batch (batchSize > N)
     */
    public Batcher(Dataset data, int batchSize, long seed, boolean shuffle, boolean dropLast) {
        if (batchSize < 1) throw new IllegalArgumentException("Batcher: batch size must be >= 1, got " + batchSize);
        if (dropLast && batchSize > data.size()) {
            throw new IllegalArgumentException("Batcher: batch size " + batchSize + " exceeds the " + data.size()
                    + " samples and dropLast is set, so an epoch has no batch");
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.epochKey = new Rng(seed).nextLong();
    }

    /** The order in which epoch {@code epoch} visits the {@code n} samples. */
    public static int[] epochOrder(long seed, long epoch, int n) {
        return new Rng(new Rng(seed).nextLong() + epoch * GOLDEN).permutation(n);
    }

    /** Batches per epoch: ⌈N/B⌉, or ⌊N/B⌋ with dropLast. */
    public int batchesPerEpoch() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The dataset. */
    public Dataset dataset() {
        return data;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public Batch next() {
        int n = data.size();
        int end = Math.min(position + batchSize, n);
        int[] ord = order();
        int[] idx = new int[end - position];
        System.arraycopy(ord, position, idx, 0, idx.length);
        position = end;
        if (position == n || (dropLast && n - position < batchSize)) {
            epoch++;
            position = 0;
        }
        return data.batch(idx);
    }

    private int[] order() {
        if (orderEpoch != epoch) {
            int n = data.size();
            if (shuffle) {
                order = new Rng(epochKey + epoch * GOLDEN).permutation(n);
            } else {
                order = new int[n];
                for (int i = 0; i < n; i++) order[i] = i;
            }
            orderEpoch = epoch;
        }
        return order;
    }

    @Override
    public Cursor cursor() {
        return new Cursor(epoch, position);
    }

    /**
     * Moves to {@code cursor}; its position must be a batch boundary of this batcher
     * (a multiple of the batch size below N).
     */
    @Override
    public void seek(Cursor cursor) {
        long p = cursor.position();
        if (p >= data.size() || p % batchSize != 0 || (dropLast && data.size() - p < batchSize)) {
            throw new IllegalArgumentException("Batcher.seek: position " + p + " is not the start of a batch of size "
                    + batchSize + " in " + data.size() + " samples");
        }
        epoch = cursor.epoch();
        position = (int) p;
    }
}
