package dev.descent.tensor.kernel;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one fixed thread pool shared by all kernels: {@code threads() - 1} daemon workers, started
 * on first use, plus the calling thread, which always takes part in its own loop.
 *
 * <p>{@link #forEach} runs {@code body.run(t)} for every task index {@code t < tasks}. Indices
 * are claimed one at a time, the caller from the front (0, 1, ...) and the workers from the back
 * (tasks − 1, tasks − 2, ...), until the two ends meet; so a core that is slowed down (another
 * process on a noisy machine) simply claims fewer tasks, and when both keep pace the caller runs
 * the first half and the worker the second half of every loop. Kernels that cut the same array
 * the same way (a GEMM's output columns, the weight rows Adam updates) therefore find most of
 * their data in the cache of the core that touched it last. Callers should cut work into a few
 * tasks per thread. Nothing is allocated per task; one small job object is allocated per call,
 * which is why kernels use the pool only when the work is large (see the kernel's threshold).
 *
 * <p>A call made from inside a worker (nested parallelism) runs its tasks serially on that
 * worker, so the pool can never deadlock on itself. Concurrent callers from different threads
 * are served in arrival order, each caller working through its own tasks meanwhile.
 */
public final class Parallel {
    private Parallel() {}

    /** The work done for one task index; implementations must be safe to run concurrently. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs task {@code task}.
         *
         * @param task the task index, {@code 0 <= task < tasks}
         */
        void run(int task);
    }

    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    /**
     * How long a caller busy-waits for the last tasks of its loop before parking, and an idle
     * worker polls for the next loop before blocking (override: {@code -Ddescent.parallel.spinMicros}).
     * A worker that blocks wakes tens of microseconds after the next loop starts, by which time the
     * caller has claimed tasks meant for it; the serial stretches between the loops of a training
     * step (activations, losses, batch norm) are mostly shorter than 1 ms (docs/performance.md,
     * "Pool spin before parking").
     */
    private static final long SPIN_NANOS = 1000L * Long.getLong("descent.parallel.spinMicros", 1000L);

    /**
     * Number of threads a parallel loop uses: the pool's workers plus the caller. Equals the
     * number of available processors when the JVM started.
     *
     * @return the degree of parallelism, at least 1
     */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body.run(t)} for every {@code t} in {@code [0, tasks)}, in parallel over the
     * pool and the calling thread, and returns when all tasks have finished. Writes made by a
     * task happen-before the return. If tasks throw, the first throwable is rethrown here after
     * all tasks have finished (an {@link Error} or {@link RuntimeException} as is, anything else
     * wrapped in a {@link RuntimeException}).
     *
     * @param tasks number of task indices; nothing runs when it is 0 or negative
     * @param body  the task body
     */
    public static void forEach(int tasks, Body body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || THREADS == 1 || Thread.currentThread() instanceof Worker) {
            for (int t = 0; t < tasks; t++) {
                body.run(t);
            }
            return;
        }
        Job job = new Job(tasks, body, Thread.currentThread());
        int helpers = Math.min(THREADS - 1, tasks - 1);
        for (int i = 0; i < helpers; i++) {
            Pool.QUEUE.add(job);
        }
        job.work(true);
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (job.remaining.get() > 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(job);
            }
        }
        Throwable failure = job.failure;
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new RuntimeException(failure);
        }
    }

    /** One call of {@link #forEach}: its tasks, the two claim ends and the completion count. */
    private static final class Job {
        final Body body;
        final Thread caller;
        /** The next unclaimed index from the front (high 32 bits) and from the back (low 32 bits). */
        final AtomicLong ends;
        final AtomicInteger remaining;
        volatile Throwable failure;

        Job(int tasks, Body body, Thread caller) {
            this.body = body;
            this.caller = caller;
            this.ends = new AtomicLong(tasks - 1L);
            this.remaining = new AtomicInteger(tasks);
        }

        /** Claims the lowest ({@code front}) or highest unclaimed index; −1 when none is left. */
        int claim(boolean front) {
            while (true) {
                long e = ends.get();
                int lo = (int) (e >>> 32), hi = (int) e;
                if (lo > hi) {
                    return -1;
                }
                long next = front ? ((long) (lo + 1) << 32) | (hi & 0xFFFFFFFFL) : ((long) lo << 32) | ((hi - 1) & 0xFFFFFFFFL);
                if (ends.compareAndSet(e, next)) {
                    return front ? lo : hi;
                }
            }
        }

        /**
         * Claims (from the front for the caller, from the back for workers) and runs tasks until
         * none is left; the thread finishing the last one wakes the caller.
         */
        void work(boolean front) {
            for (int t; (t = claim(front)) >= 0; ) {
                try {
                    body.run(t);
                } catch (Throwable e) {
                    if (failure == null) {
                        failure = e;
                    }
                } finally {
                    if (remaining.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }

    /** Worker threads, marked by their class so that nested calls run serially. */
    private static final class Worker extends Thread {
        Worker(int index) {
            super("descent-parallel-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                Job job = Pool.QUEUE.poll();
                if (job == null) {
                    long spinUntil = System.nanoTime() + SPIN_NANOS;
                    while ((job = Pool.QUEUE.poll()) == null && System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    }
                }
                if (job == null) {
                    try {
                        job = Pool.QUEUE.take();
                    } catch (InterruptedException e) {
                        continue; // daemon workers live as long as the JVM; nothing to clean up
                    }
                }
                job.work(false);
            }
        }
    }

    /** Holder so that the workers start only when a parallel loop first runs. */
    private static final class Pool {
        static final LinkedBlockingQueue<Job> QUEUE = new LinkedBlockingQueue<>();

        static {
            for (int i = 1; i < THREADS; i++) {
                new Worker(i).start();
            }
        }
    }
}
