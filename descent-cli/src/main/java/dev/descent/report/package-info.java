/**
 * Rendering results for people: {@link dev.descent.report.Plot} (renders a
 * {@link dev.descent.chart.Chart} as PNG, drawn by the
 * pure-Java {@link dev.descent.report.Bitmap} with the built-in {@link dev.descent.report.BitmapFont}
 * and encoded by {@link dev.descent.report.PngEncoder}; no AWT, no system fonts),
 * {@link dev.descent.report.TextTable} (aligned console tables) and
 * {@link dev.descent.report.HtmlReport} (one self-contained HTML page with embedded images).
 *
 * <p>Depends on the JDK, on {@code dev.descent.chart} (the figure descriptions it draws) and on
 * {@code dev.descent.io.AtomicFiles} (every PNG and page is written through a temporary file, fsync
 * and rename), so anything in the CLI (verify, train, diagnose) can use it.
 */
package dev.descent.report;
