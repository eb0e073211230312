package org.blades.io;

import java.io.IOException;

/**
 * A safetensors file that is not well-formed (truncated, bad header, bad offsets, unsupported dtype).
 * An IOException, like java.util.zip.ZipException, so callers handle one checked type for "cannot load
 * this file"; the message always names the file, and the tensor where one is at fault.
 */
public final class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
