package org.blades.data;

import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.imaging.jpeg.JpegProcessingException;
import com.drew.imaging.png.PngMetadataReader;
import com.drew.imaging.png.PngProcessingException;
import com.drew.lang.Rational;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.StringValue;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.ExifThumbnailDirectory;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the nine BLADES tags (and the orientation) from a file's EXIF with metadata-extractor.
 *
 * <p>Agreement target: exiftool's {@code -n} readings of the EXIF group ({@code exiftool -n -EXIF:FNumber ...}),
 * the reference in ../shared/data/exiftool-exif-dev.numeric.csv. Like that reference, only IFD0, the Exif sub-IFD and
 * (for Make) IFD1 are consulted; maker notes, XMP and composite tags are not, because their semantics differ
 * per vendor. Where a tag occurs in several directories we take the Exif sub-IFD's, then IFD0's, then (Make only)
 * IFD1's, which exiftool also ranks lowest; between two Exif segments the first one read wins. None of the 77
 * reference files disagrees with exiftool under this order.
 *
 * <p>Only the Exif segments of a JPEG are parsed (not ICC, XMP, IPTC...), which keeps a broken unrelated segment
 * from failing the read. A segment structure that cannot be walked is an {@link ImageFileException}; an Exif
 * block that metadata-extractor can only partly parse yields whatever it read plus a warning.
 */
public final class ExifExtractor {
    private ExifExtractor() {
    }

    /** The values plus what metadata-extractor complained about while reading them (empty for a clean file). */
    public record Reading(ExifValues values, List<String> warnings) {
        public Reading {
            warnings = List.copyOf(warnings);
        }
    }

    public static Reading read(Path file) throws ImageFileException {
        return read(ImageBytes.read(file));
    }

    /** BMP and GIF carry no EXIF: all missing. A file of unknown format is refused as unsupported. */
    public static Reading read(ImageBytes image) throws ImageFileException {
        ImageBytes.Format format = image.format();
        if (format == ImageBytes.Format.BMP || format == ImageBytes.Format.GIF) {
            return new Reading(ExifValues.NONE, List.of());
        }
        if (format == ImageBytes.Format.UNKNOWN) {
            throw new ImageFileException(image.name(), ImageFileException.Reason.UNSUPPORTED,
                    "not a JPEG, PNG, BMP or GIF file (no known signature in its first bytes)");
        }
        Metadata metadata;
        try {
            metadata = format == ImageBytes.Format.JPEG
                    ? JpegMetadataReader.readMetadata(new ByteArrayInputStream(image.bytes()), List.of(new ExifReader()))
                    : PngMetadataReader.readMetadata(new ByteArrayInputStream(image.bytes()));
        } catch (EOFException e) {
            throw new ImageFileException(image.name(), ImageFileException.Reason.TRUNCATED,
                    "file ends inside a metadata segment (" + e.getMessage() + ")", e);
        } catch (JpegProcessingException | PngProcessingException e) {
            throw new ImageFileException(image.name(), ImageFileException.Reason.CORRUPT,
                    "cannot walk the segment structure: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // metadata-extractor signals some malformed inputs with unchecked exceptions; one file must not stop a run.
            throw new ImageFileException(image.name(), ImageFileException.Reason.CORRUPT,
                    "metadata cannot be parsed: " + e, e);
        }
        return new Reading(values(metadata), warnings(metadata));
    }

    /** Picks the nine tags and the orientation out of metadata-extractor's directories (see the class comment). */
    static ExifValues values(Metadata metadata) {
        List<Directory> exif = new ArrayList<>(metadata.getDirectoriesOfType(ExifSubIFDDirectory.class));
        List<Directory> ifd0 = new ArrayList<>(metadata.getDirectoriesOfType(ExifIFD0Directory.class));
        List<Directory> ifd1 = new ArrayList<>(metadata.getDirectoriesOfType(ExifThumbnailDirectory.class));
        List<Directory> exifThenIfd0 = new ArrayList<>(exif);
        exifThenIfd0.addAll(ifd0);
        List<Directory> ifd0ThenIfd1 = new ArrayList<>(ifd0);
        ifd0ThenIfd1.addAll(ifd1);

        Double fNumber = positiveOrNull(rational(exifThenIfd0, ExifDirectoryBase.TAG_FNUMBER));
        Double apex = rational(exifThenIfd0, ExifDirectoryBase.TAG_APERTURE);
        // ApertureValue is APEX: Av = 2 log2(N)  =>  N = 2^(Av/2) (EXIF 2.32, Annex C).
        Double aperture = fNumber != null ? fNumber : apex == null ? null : Math.pow(2.0, apex / 2.0);
        return new ExifValues(
                // ISO may hold several SHORTs (EXIF 2.3); exiftool prints all, the label uses the first.
                rational(exifThenIfd0, ExifDirectoryBase.TAG_ISO_EQUIVALENT),
                aperture,
                rational(exifThenIfd0, ExifDirectoryBase.TAG_EXPOSURE_TIME),
                rational(exifThenIfd0, ExifDirectoryBase.TAG_FOCAL_LENGTH),
                text(ifd0ThenIfd1, ExifDirectoryBase.TAG_MAKE),
                integer(exifThenIfd0, ExifDirectoryBase.TAG_METERING_MODE),
                integer(exifThenIfd0, ExifDirectoryBase.TAG_EXPOSURE_MODE),
                integer(exifThenIfd0, ExifDirectoryBase.TAG_WHITE_BALANCE_MODE),
                integer(exifThenIfd0, ExifDirectoryBase.TAG_EXPOSURE_PROGRAM),
                integer(ifd0, ExifDirectoryBase.TAG_ORIENTATION));
    }

    /** An FNumber of 0 means "unknown" to cameras; the ApertureValue fallback then gets its chance. */
    private static Double positiveOrNull(Double v) {
        return v != null && v > 0 ? v : null;
    }

    /**
     * The first directory's value (first element of an array) as a double; a rational with denominator 0
     * (exiftool: "inf"/"undef") is missing.
     */
    private static Double rational(List<Directory> dirs, int tag) {
        for (Directory d : dirs) {
            Object o = d.getObject(tag);
            if (o == null) {
                continue;
            }
            Object first = o.getClass().isArray() ? firstElement(o) : o;
            if (first instanceof Rational r) {
                return r.getDenominator() == 0 ? null : r.doubleValue();
            }
            if (first instanceof Number n) {
                return n.doubleValue();
            }
            return null;
        }
        return null;
    }

    private static Integer integer(List<Directory> dirs, int tag) {
        for (Directory d : dirs) {
            Object o = d.getObject(tag);
            if (o == null) {
                continue;
            }
            Object first = o.getClass().isArray() ? firstElement(o) : o;
            if (first instanceof Number n) {
                return n.intValue();
            }
            return null;
        }
        return null;
    }

    private static String text(List<Directory> dirs, int tag) {
        for (Directory d : dirs) {
            Object o = d.getObject(tag);
            if (o == null) {
                continue;
            }
            String s;
            if (o instanceof StringValue sv) {
                // EXIF ASCII is 7-bit by the standard; Latin-1 maps every byte to one char, so nothing throws.
                s = new String(sv.getBytes(), StandardCharsets.ISO_8859_1);
            } else {
                s = d.getString(tag);
            }
            if (s == null) {
                return null;
            }
            int nul = s.indexOf('\0');
            s = (nul >= 0 ? s.substring(0, nul) : s).strip();
            return s.isEmpty() ? null : s;
        }
        return null;
    }

    private static Object firstElement(Object array) {
        return Array.getLength(array) == 0 ? null : Array.get(array, 0);
    }

    private static List<String> warnings(Metadata metadata) {
        List<String> out = new ArrayList<>();
        for (Directory d : metadata.getDirectories()) {
            for (String e : d.getErrors()) {
                out.add(d.getName() + ": " + e);
            }
        }
        return out;
    }
}
