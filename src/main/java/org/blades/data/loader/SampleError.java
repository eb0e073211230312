package org.blades.data.loader;

/**
 * An image a batch could not use, and what took its row.
 *
 * @param row         the batch row
 * @param index       the dataset index that failed (the row's own sample or a replacement candidate)
 * @param path        its path relative to the dataset root
 * @param error       why: the file's error ("photos/b.jpg: truncated: ...") or the exception of a failed step
 * @param replacement the dataset index the row finally holds, the next usable sample of the epoch's order
 */
public record SampleError(int row, int index, String path, String error, int replacement) {
}
