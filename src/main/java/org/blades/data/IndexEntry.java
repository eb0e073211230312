package org.blades.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of an image index: an image with its EXIF, or a file that cannot be used and why. Paths are relative to
 * the indexed folder with '/' separators; (path, bytes, mtimeMillis) decide whether a later run can reuse the entry,
 * sha256 confirms it when the modification time changed.
 */
public sealed interface IndexEntry permits IndexEntry.Image, IndexEntry.Unreadable {

    String path();

    long bytes();

    long mtimeMillis();

    /** Lowercase hex SHA-256 of the file, or null when the file could not be read at all. */
    String sha256();

    /**
     * A decodable image.
     *
     * @param format       JPEG, PNG, BMP or GIF
     * @param width        displayed width (after the EXIF orientation, which is {@code exif.orientation()})
     * @param height       displayed height
     * @param exif         the raw values (all null when the EXIF could not be parsed)
     * @param exifProblems metadata-extractor's complaints, or the reason the EXIF could not be parsed; usually empty
     * @param face         the side file's annotation, or null
     */
    record Image(String path, long bytes, long mtimeMillis, String sha256, String format, int width, int height,
            ExifValues exif, List<String> exifProblems, FaceAnnotation face) implements IndexEntry {

        public Image {
            exifProblems = List.copyOf(exifProblems);
        }

        /** The same entry with another modification time and annotation (reuse after an mtime-only change). */
        Image with(long newMtime, FaceAnnotation newFace) {
            return new Image(path, bytes, newMtime, sha256, format, width, height, exif, exifProblems, newFace);
        }

        /** The JSON line, with the labels of the index's cut points and options. */
        public Map<String, Object> toJson(ExifLabels labels) {
            Map<String, Object> m = common("image", this);
            m.put("format", format);
            m.put("width", (long) width);
            m.put("height", (long) height);
            m.put("orientation", exif.orientation() == null ? null : (long) exif.orientation());
            Map<String, Object> raw = new LinkedHashMap<>();
            Map<String, Object> lab = new LinkedHashMap<>();
            for (ExifTag t : ExifTag.values()) {
                Object v = exif.raw(t);
                raw.put(t.key(), v instanceof Integer i ? (Object) (long) i : v);
                lab.put(t.key(), labels.className(t));
            }
            m.put("exif", raw);
            m.put("labels", lab);
            if (!exifProblems.isEmpty()) {
                m.put("exif_problems", exifProblems);
            }
            if (face != null) {
                m.put("face", face.toJson());
            }
            return m;
        }
    }

    /**
     * A file that is not usable: {@code reason} is {@link ImageFileException.Reason#words()} ("truncated", ...),
     * {@code error} the full message naming the file.
     */
    record Unreadable(String path, long bytes, long mtimeMillis, String sha256, String reason, String error)
            implements IndexEntry {

        Unreadable withMtime(long newMtime) {
            return new Unreadable(path, bytes, newMtime, sha256, reason, error);
        }

        /** The JSON line. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = common("unreadable", this);
            m.put("reason", reason);
            m.put("error", error);
            return m;
        }
    }

    private static Map<String, Object> common(String type, IndexEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("path", e.path());
        m.put("bytes", e.bytes());
        m.put("mtime_ms", e.mtimeMillis());
        m.put("sha256", e.sha256());
        return m;
    }

    /** Parses one index line back; {@code where} names the line in errors. */
    static IndexEntry fromJson(Map<String, Object> m, String where) {
        String type = string(m, "type", where);
        String path = string(m, "path", where);
        long bytes = number(m, "bytes", where).longValue();
        long mtime = number(m, "mtime_ms", where).longValue();
        String sha = (String) m.get("sha256");
        if (type.equals("unreadable")) {
            return new Unreadable(path, bytes, mtime, sha, string(m, "reason", where), string(m, "error", where));
        }
        if (!type.equals("image")) {
            throw new IllegalArgumentException(where + ": unknown entry type '" + type + "'");
        }
        Map<String, Object> exif = object(m, "exif", where);
        ExifValues v = new ExifValues(dbl(exif.get("iso")), dbl(exif.get("aperture")), dbl(exif.get("exposure_time")),
                dbl(exif.get("focal_length")), (String) exif.get("make"), integer(exif.get("metering_mode")),
                integer(exif.get("exposure_mode")), integer(exif.get("white_balance")),
                integer(exif.get("exposure_program")), integer(m.get("orientation")));
        List<String> problems = new ArrayList<>();
        if (m.get("exif_problems") instanceof List<?> list) {
            for (Object o : list) {
                problems.add(String.valueOf(o));
            }
        }
        FaceAnnotation face = null;
        if (m.get("face") != null) {
            face = FaceAnnotation.fromJson(object(m, "face", where), where + ".face");
        }
        return new Image(path, bytes, mtime, sha, string(m, "format", where), number(m, "width", where).intValue(),
                number(m, "height", where).intValue(), v, problems, face);
    }

    private static String string(Map<String, Object> m, String key, String where) {
        if (!(m.get(key) instanceof String s)) {
            throw new IllegalArgumentException(where + ": field '" + key + "' is missing or not a string");
        }
        return s;
    }

    private static Number number(Map<String, Object> m, String key, String where) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException(where + ": field '" + key + "' is missing or not a number");
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> m, String key, String where) {
        if (!(m.get(key) instanceof Map<?, ?> o)) {
            throw new IllegalArgumentException(where + ": field '" + key + "' is missing or not an object");
        }
        return (Map<String, Object>) o;
    }

    private static Double dbl(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    private static Integer integer(Object o) {
        return o instanceof Number n ? n.intValue() : null;
    }
}
