/**
 * The design comparison report of {@code flowclash compare}: a scenario matrix run through the same command path
 * as {@code flowclash run}, its figures as one JSON document ({@code results.json}), and the Markdown, HTML and
 * XChart charts rendered from that document only, so that every figure shown is a figure recorded.
 */
package io.flowclash.report;
