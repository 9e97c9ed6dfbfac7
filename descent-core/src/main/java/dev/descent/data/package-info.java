/**
 * Data for training: {@link dev.descent.data.Dataset} (features with regression targets or
 * integer class labels), train/test splits, the seeded and resumable
 * {@link dev.descent.data.Batcher}, readers for IDX files ({@link dev.descent.data.IdxReader},
 * {@link dev.descent.data.FashionMnist}) and CSV files ({@link dev.descent.data.CsvReader}), and
 * the synthetic long-term-dependency tasks ({@link dev.descent.data.AddingTask},
 * {@link dev.descent.data.MultiplicationTask}, {@link dev.descent.data.TemporalOrderTask},
 * {@link dev.descent.data.CopyTask}) generated in-process from a seed.
 *
 * <p>Readers reject malformed files with a {@link dev.descent.data.DataFormatException} whose
 * message is one line naming the file, the place (line, cell, byte count) and the bad value.
 *
 * <p>Depends on {@code dev.descent.tensor} only (no autodiff, no models, no CLI).
 */
package dev.descent.data;
