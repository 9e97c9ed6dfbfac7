package dev.descent.data;

import dev.descent.tensor.Rng;

/** The endless, seekable batch stream of a {@link SequenceTask}; see {@link SequenceTask#stream}. */
final class SyntheticBatches implements BatchStream {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final SequenceTask task;
    private final int batchSize;
    private final long key;
    private long index;

    SyntheticBatches(SequenceTask task, int batchSize, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException(task.name() + ": batch size must be >= 1, got " + batchSize);
        this.task = task;
        this.batchSize = batchSize;
        this.key = new Rng(seed).nextLong();
    }

    @Override
    public Batch next() {
        Dataset d = task.generate(batchSize, new Rng(key + index * GOLDEN));
        index++;
        return d.all();
    }

    @Override
    public Cursor cursor() {
        return new Cursor(0, index);
    }

    @Override
    public void seek(Cursor cursor) {
        if (cursor.epoch() != 0) {
            throw new IllegalArgumentException(task.name() + ": a synthetic stream has no epochs; cursor epoch must be 0, got "
                    + cursor.epoch());
        }
        index = cursor.position();
    }

    @Override
    public int batchSize() {
        return batchSize;
    }
}
