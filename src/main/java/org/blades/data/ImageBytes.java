package org.blades.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A whole image file in memory with the name errors should show. Reading the bytes once lets the index hash,
 * parse EXIF and decode without touching the disk three times.
 *
 * @param name  how messages name the file (usually the path as given)
 * @param bytes the file's content; not copied, callers must not modify it
 */
public record ImageBytes(String name, byte[] bytes) {

    /** Files above this are refused before reading: a Java array cannot hold more, and no photo is this big. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;

    /** The container format, from the leading magic bytes (the file name's extension is not trusted). */
    public enum Format {
        JPEG, PNG, BMP, GIF, UNKNOWN
    }

    /** Reads {@code file}; a missing, unreadable or oversized file is an {@link ImageFileException}. */
    public static ImageBytes read(Path file) throws ImageFileException {
        String name = file.toString();
        try {
            if (Files.isDirectory(file)) {
                throw new ImageFileException(name, ImageFileException.Reason.UNREADABLE, "is a directory");
            }
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ImageFileException(name, ImageFileException.Reason.TOO_LARGE,
                        "file of " + size + " bytes is above the " + MAX_FILE_BYTES + "-byte limit");
            }
            return new ImageBytes(name, Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ImageFileException(name, ImageFileException.Reason.UNREADABLE, "no such file", e);
        } catch (ImageFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageFileException(name, ImageFileException.Reason.UNREADABLE, String.valueOf(e.getMessage()), e);
        }
    }

    public Format format() {
        byte[] b = bytes;
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
            return Format.JPEG;
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) {
            return Format.PNG;
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return Format.BMP;
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return Format.GIF;
        }
        return Format.UNKNOWN;
    }
}
