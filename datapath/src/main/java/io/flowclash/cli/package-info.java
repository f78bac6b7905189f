/**
 * The {@code flowclash} command (picocli). Every subcommand has {@code --help} and {@code --version}; a bad option,
 * value or input file is reported in one line on stderr with exit status 2.
 */
package io.flowclash.cli;
