/**
 * Dependency-free report output: line charts as SVG ({@link org.blades.report.LineChart}) and self-contained HTML
 * pages ({@link org.blades.report.Html}) that need no network, no script and no external file.
 *
 * <p>Dimension legend: P = points of a curve, S = series of a chart.
 */
package org.blades.report;
