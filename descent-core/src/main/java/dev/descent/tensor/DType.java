package dev.descent.tensor;

import dev.descent.tensor.kernel.Storage;
import dev.descent.tensor.kernel.StorageF32;
import dev.descent.tensor.kernel.StorageF64;

/**
 * Element types. {@link #F32} is for training, {@link #F64} for verification and second-order
 * work on small models.
 *
 * <p><b>Promotion rule:</b> there is none. Every binary operation requires both operands to have
 * the same dtype and fails with a message naming both otherwise; convert explicitly with
 * {@link Tensor#to(DType)}. Silent promotion hides precision bugs in exactly the experiments that
 * claim 1e-12 agreement.
 */
public enum DType {
    /** IEEE-754 binary32. */
    F32("float32", 4),
    /** IEEE-754 binary64. */
    F64("float64", 8);

    private final String label;
    private final int bytes;

    DType(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int byteSize() {
        return bytes;
    }

    /** A new zero storage of {@code n} elements of this dtype: the one place a dtype picks its kernels. */
    public Storage allocate(int n) {
        return this == F32 ? new StorageF32(new float[n]) : new StorageF64(new double[n]);
    }

    /** Unit roundoff u = 2^-24 (float32) or 2^-53 (float64). */
    public double unitRoundoff() {
        return this == F32 ? 0x1p-24 : 0x1p-53;
    }

    /** The conventional name, "float32" or "float64". */
    @Override
    public String toString() {
        return label;
    }

    /** Parses "float32"/"f32"/"float64"/"f64" (case-insensitive). */
    public static DType parse(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "float32": case "f32": return F32;
            case "float64": case "f64": return F64;
            default: throw new IllegalArgumentException("unknown dtype '" + s + "' (expected float32 or float64)");
        }
    }
}
