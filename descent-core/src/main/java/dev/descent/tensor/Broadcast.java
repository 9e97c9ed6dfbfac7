package dev.descent.tensor;

/**
 * Iteration plan for broadcasting operands into an output of a given shape.
 *
 * <p>Each operand's shape is aligned to the output's trailing dimensions and given stride 0 on
 * broadcast axes. Adjacent axes that are contiguous for every operand are merged, so that the
 * kernels see the longest possible innermost run; the innermost stride of each operand is then
 * 0 or 1, which is what the elementwise kernels accept.
 */
final class Broadcast {
    /** Receives one innermost run: operand offsets, output offset, length, operand strides. */
    interface RowFn {
        void row(int[] offsets, int outOffset, int length, int[] innerStrides);
    }

    private final int[] dims;        // coalesced output dims
    private final int[][] strides;   // [operand][axis]

    private Broadcast(int[] dims, int[][] strides) {
        this.dims = dims;
        this.strides = strides;
    }

    static Broadcast plan(Shape out, Shape[] operands) {
        int r = out.rank();
        int k = operands.length;
        int[][] st = new int[k][r];
        for (int o = 0; o < k; o++) {
            Shape s = operands[o];
            int[] own = s.strides();
            int lead = r - s.rank();
            for (int i = 0; i < r; i++) {
                if (i < lead) continue;
                int dim = s.dim(i - lead);
                st[o][i] = dim == 1 && out.dim(i) != 1 ? 0 : own[i - lead];
            }
        }
        // Merge axis i into i+1 when every operand is contiguous across the pair.
        int[] dims = out.dims();
        int[] cd = new int[r];
        int[][] cs = new int[k][r];
        int n = 0;
        for (int i = 0; i < r; i++) {
            if (dims[i] == 1) continue; // size-1 axes never affect offsets
            if (n > 0) {
                boolean merge = true;
                for (int o = 0; o < k; o++) {
                    if (cs[o][n - 1] != st[o][i] * dims[i]) {
                        merge = false;
                        break;
                    }
                }
                if (merge) {
                    cd[n - 1] *= dims[i];
                    for (int o = 0; o < k; o++) cs[o][n - 1] = st[o][i];
                    continue;
                }
            }
            cd[n] = dims[i];
            for (int o = 0; o < k; o++) cs[o][n] = st[o][i];
            n++;
        }
        int[] fd = java.util.Arrays.copyOf(cd, n);
        int[][] fs = new int[k][];
        for (int o = 0; o < k; o++) fs[o] = java.util.Arrays.copyOf(cs[o], n);
        return new Broadcast(fd, fs);
    }

    void forEachRow(RowFn fn) {
        int k = strides.length;
        int r = dims.length;
        int[] offs = new int[k];
        int[] inner = new int[k];
        if (r == 0) {
            fn.row(offs, 0, 1, inner);
            return;
        }
        for (int d : dims) if (d == 0) return;
        int len = dims[r - 1];
        for (int o = 0; o < k; o++) inner[o] = strides[o][r - 1];
        int total = 1;
        for (int d : dims) total *= d;
        int[] idx = new int[r];
        for (int out = 0; out < total; out += len) {
            fn.row(offs, out, len, inner);
            for (int a = r - 2; a >= 0; a--) {
                idx[a]++;
                for (int o = 0; o < k; o++) offs[o] += strides[o][a];
                if (idx[a] < dims[a]) break;
                for (int o = 0; o < k; o++) offs[o] -= strides[o][a] * dims[a];
                idx[a] = 0;
            }
        }
    }
}
