package dev.descent.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    /** Every index in [0, tasks) runs exactly once, whichever end claims it. */
    @Test
    void everyTaskRunsExactlyOnce() {
        for (int tasks : new int[] {0, 1, 2, 3, 4, 7, 13, 64, 1000}) {
            for (int r = 0; r < 50; r++) {
                int round = r;
                AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(tasks, 1));
                Parallel.forEach(tasks, t -> {
                    runs.incrementAndGet(t);
                    // A little uneven work, so that the two ends meet at different places.
                    double s = 0;
                    for (int i = 0; i < (t * 37 + round) % 200; i++) s += Math.sqrt(i);
                    if (s < 0) throw new AssertionError();
                });
                for (int t = 0; t < tasks; t++) assertEquals(1, runs.get(t), "task " + t + " of " + tasks);
            }
        }
    }

    @Test
    void aFailingTaskIsRethrownAfterTheOthersFinish() {
        AtomicIntegerArray runs = new AtomicIntegerArray(16);
        IllegalStateException e = new IllegalStateException("task 5");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forEach(16, t -> {
            runs.incrementAndGet(t);
            if (t == 5) throw e;
        }));
        assertSame(e, thrown);
        for (int t = 0; t < 16; t++) assertEquals(1, runs.get(t), "task " + t);
    }

    @Test
    void nestedLoopsAndConcurrentCallersComplete() throws InterruptedException {
        int outer = 8, inner = 9;
        AtomicIntegerArray runs = new AtomicIntegerArray(outer * inner);
        Thread other = new Thread(() -> Parallel.forEach(outer, i -> Parallel.forEach(inner, j -> runs.incrementAndGet(i * inner + j))));
        other.start();
        AtomicIntegerArray mine = new AtomicIntegerArray(100);
        for (int r = 0; r < 20; r++) Parallel.forEach(100, mine::incrementAndGet);
        other.join();
        for (int t = 0; t < outer * inner; t++) assertEquals(1, runs.get(t), "nested task " + t);
        for (int t = 0; t < 100; t++) assertEquals(20, mine.get(t), "task " + t);
    }
}
