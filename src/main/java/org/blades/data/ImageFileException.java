package org.blades.data;

import java.io.IOException;
import java.util.Objects;

/**
 * One image file cannot be used: the message names the file and the problem, in words a user can act on
 * ("photo.jpg: truncated: premature end of JPEG data"). Callers that walk many files catch it per file, so one bad
 * image never stops a run; the CLI prints {@link #getMessage()}, never a stack trace.
 */
public final class ImageFileException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the file; the index reports counts per reason. */
    public enum Reason {
        /** The file cannot be opened or read (missing, permission denied, a directory, I/O error). */
        UNREADABLE("unreadable"),
        /** The file ends before its image data does. */
        TRUNCATED("truncated"),
        /** The bytes violate the format (bad marker, bad Huffman table, inconsistent header...). */
        CORRUPT("corrupt"),
        /** A valid file of a format or variant no installed decoder handles (e.g. arithmetic-coded JPEG). */
        UNSUPPORTED("unsupported"),
        /** Dimensions above the configured pixel limit, or a file too big to hold in memory. */
        TOO_LARGE("too large");

        private final String words;

        Reason(String words) {
            this.words = words;
        }

        /** The reason as written in messages and in the index ("too large"). */
        public String words() {
            return words;
        }
    }

    private final String file;
    private final Reason reason;
    private final String detail;

    public ImageFileException(String file, Reason reason, String detail) {
        this(file, reason, detail, null);
    }

    public ImageFileException(String file, Reason reason, String detail, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + reason.words() + ": " + detail, cause);
        this.file = file;
        this.reason = reason;
        this.detail = detail;
    }

    /** The file as the caller named it. */
    public String file() {
        return file;
    }

    public Reason reason() {
        return reason;
    }

    /** The problem without the file name and reason prefix. */
    public String detail() {
        return detail;
    }
}
