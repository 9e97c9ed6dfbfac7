/**
 * Figures as data: {@link dev.descent.chart.Chart} describes a line chart (series of (x, y)
 * points with names, styles, axis labels and scales) without drawing it. Experiments and the CLI
 * build charts; {@code dev.descent.report} renders them.
 *
 * <p>Depends on the JDK only.
 */
package dev.descent.chart;
