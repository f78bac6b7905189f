/**
 * Safe output: every file or folder flowclash writes is checked (a regular file or a new name in an existing
 * directory), written through a temporary file renamed into place, and cleaned up on errors and signals.
 */
package io.flowclash.io;
