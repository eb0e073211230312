package org.blades.cli;

/** Bad command-line usage: reported as one line with exit code 2, never as a stack trace. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
