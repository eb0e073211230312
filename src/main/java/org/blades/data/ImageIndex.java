package org.blades.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.blades.io.Json;

/**
 * An image index: one JSON object per line (JSON Lines), UTF-8, written by {@code blades index}.
 *
 * <pre>
 * line 1     {"type": "header", "format": "blades-index", "version": 1, "reader": READER, "root": DIR,
 *             "max_pixels": N, "label_options": {"exposure_time_scale": ..., "metering_pattern": ...},
 *             "cuts": {"iso": {"low": ..., "high": ..., "count": n}, ...}, "cuts_source": "...",
 *             "summary": {"images": n, "unreadable": n, "reasons": {...}, "tags": {TAG: {"present": n, "missing": n,
 *             "unmapped": n, "masked_rate": r, "values": {CLASS: n, ...}}}}}
 * lines 2..  {"type": "image", "path": "a/b.jpg", "bytes": n, "mtime_ms": t, "sha256": hex, "format": "JPEG",
 *             "width": w, "height": h, "orientation": o|null,
 *             "exif": {"iso": 100.0|null, "aperture": ..., "exposure_time": s, "focal_length": mm, "make": "...",
 *                      "metering_mode": code, "exposure_mode": code, "white_balance": code, "exposure_program": code},
 *             "labels": {"iso": "low"|"medium"|"high"|null, ..., "make": "Canon"|null, ...},
 *             ["exif_problems": [...]], ["face": {"bounding_box": [...], "landmark": [[x, y], ...], ...}]}
 *            {"type": "unreadable", "path": ..., "bytes": n, "mtime_ms": t, "sha256": hex|null,
 *             "reason": "truncated"|"corrupt"|"unsupported"|"too large"|"unreadable"|"internal error",
 *             "error": "a/b.jpg: truncated: ..."}
 * </pre>
 *
 * Entries are sorted by path. The cut points in the header are the ordinal bins every later stage must use; the
 * labels in the image lines are derived from them and the raw values (a reader can recompute them with
 * {@link #labels}). A label is null when its tag is masked: raw value null = missing, raw value present = unmapped.
 * The summary is informational and recomputed on reading. Nothing in the file depends on the time or machine of the
 * run, so re-indexing an unchanged folder writes identical bytes.
 */
public final class ImageIndex {

    public static final String FORMAT = "blades-index";
    public static final long VERSION = 1;
    /**
     * Identifies what the EXIF reader and the decoder produce; a previous index written by another reader version
     * is not reused. Change it whenever an entry for the same file could come out differently.
     */
    public static final String READER = "exif-1/decode-1";

    /**
     * @param root         the indexed folder as given on the command line
     * @param maxPixels    the decoder's pixel limit for this index (it decides which files are "too large")
     * @param labelOptions how labels were derived
     * @param cuts         the ordinal tertile cut points
     * @param cutsSource   where the cuts come from, in words
     */
    public record Header(String root, String reader, long maxPixels, LabelOptions labelOptions, OrdinalCuts cuts,
            String cutsSource) {
    }

    /** Counts of one tag over the images: labelled per class, missing, unmapped. */
    public record TagSummary(Map<String, Integer> values, int missing, int unmapped) {
        public int present() {
            return values.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** What the index holds, for the header and for the command's report. */
    public record Summary(int images, int unreadable, Map<String, Integer> reasons, Map<ExifTag, TagSummary> tags) {
    }

    private final Header header;
    private final List<IndexEntry> entries;

    public ImageIndex(Header header, List<IndexEntry> entries) {
        this.header = header;
        List<IndexEntry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.path().compareTo(b.path()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).path().equals(sorted.get(i - 1).path())) {
                throw new IllegalArgumentException("image index: duplicate path " + sorted.get(i).path());
            }
        }
        this.entries = Collections.unmodifiableList(sorted);
    }

    public Header header() {
        return header;
    }

    /** All entries, sorted by path. */
    public List<IndexEntry> entries() {
        return entries;
    }

    public List<IndexEntry.Image> images() {
        List<IndexEntry.Image> out = new ArrayList<>();
        for (IndexEntry e : entries) {
            if (e instanceof IndexEntry.Image i) {
                out.add(i);
            }
        }
        return out;
    }

    /** The labels of an image under this index's cut points and options. */
    public ExifLabels labels(IndexEntry.Image image) {
        return ExifLabeler.label(image.exif(), header.cuts(), header.labelOptions());
    }

    public Summary summary() {
        int unreadable = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        Map<ExifTag, Map<String, Integer>> values = new EnumMap<>(ExifTag.class);
        Map<ExifTag, int[]> masked = new EnumMap<>(ExifTag.class); // (missing, unmapped) per tag
        for (ExifTag t : ExifTag.values()) {
            Map<String, Integer> v = new LinkedHashMap<>();
            for (String c : t.classes()) {
                v.put(c, 0);
            }
            values.put(t, v);
            masked.put(t, new int[2]);
        }
        int images = 0;
        for (IndexEntry e : entries) {
            if (e instanceof IndexEntry.Unreadable u) {
                unreadable++;
                reasons.merge(u.reason(), 1, Integer::sum);
                continue;
            }
            images++;
            ExifLabels l = labels((IndexEntry.Image) e);
            for (ExifTag t : ExifTag.values()) {
                switch (l.status(t)) {
                    case PRESENT -> values.get(t).merge(l.className(t), 1, Integer::sum);
                    case MISSING -> masked.get(t)[0]++;
                    case UNMAPPED -> masked.get(t)[1]++;
                }
            }
        }
        Map<ExifTag, TagSummary> tags = new EnumMap<>(ExifTag.class);
        for (ExifTag t : ExifTag.values()) {
            tags.put(t, new TagSummary(Collections.unmodifiableMap(values.get(t)), masked.get(t)[0], masked.get(t)[1]));
        }
        return new Summary(images, unreadable, Collections.unmodifiableMap(reasons), Collections.unmodifiableMap(tags));
    }

    // ------------------------------------------------------------------------------------------------------
    // Writing and reading

    /**
     * Writes the index to {@code file} atomically: a temporary file in the same folder, forced to disk, then renamed
     * over the target, so a reader (or a crash) never sees half an index.
     */
    public void write(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(Json.write(headerJson()));
                w.write('\n');
                for (IndexEntry e : entries) {
                    Map<String, Object> line = e instanceof IndexEntry.Image i ? i.toJson(labels(i))
                            : ((IndexEntry.Unreadable) e).toJson();
                    w.write(Json.write(line));
                    w.write('\n');
                }
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("image index: " + abs + ": the file system cannot rename atomically", e);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private Map<String, Object> headerJson() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("type", "header");
        h.put("format", FORMAT);
        h.put("version", VERSION);
        h.put("reader", header.reader());
        h.put("root", header.root());
        h.put("max_pixels", header.maxPixels());
        h.put("label_options", header.labelOptions().toJson());
        h.put("cuts", header.cuts().toJson());
        h.put("cuts_source", header.cutsSource());
        h.put("summary", summaryJson(summary()));
        return h;
    }

    static Map<String, Object> summaryJson(Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", (long) s.images());
        m.put("unreadable", (long) s.unreadable());
        Map<String, Object> reasons = new LinkedHashMap<>();
        s.reasons().forEach((k, v) -> reasons.put(k, (long) v));
        m.put("reasons", reasons);
        Map<String, Object> tags = new LinkedHashMap<>();
        for (Map.Entry<ExifTag, TagSummary> e : s.tags().entrySet()) {
            TagSummary t = e.getValue();
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("present", (long) t.present());
            tm.put("missing", (long) t.missing());
            tm.put("unmapped", (long) t.unmapped());
            // Rounded so the header reads well; the counts beside it are exact.
            tm.put("masked_rate", s.images() == 0 ? 0.0
                    : Double.parseDouble(String.format(Locale.ROOT, "%.4f",
                            (t.missing() + t.unmapped()) / (double) s.images())));
            Map<String, Object> values = new LinkedHashMap<>();
            t.values().forEach((k, v) -> values.put(k, (long) v));
            tm.put("values", values);
            tags.put(e.getKey().key(), tm);
        }
        m.put("tags", tags);
        return m;
    }

    /** Reads an index; a malformed line is an IOException naming the file and the line number. */
    public static ImageIndex read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(file + ": empty file, not an image index");
        }
        try {
            Map<String, Object> h = Json.parseObject(lines.get(0), file + " line 1");
            if (!FORMAT.equals(h.get("format")) || !"header".equals(h.get("type"))) {
                throw new IllegalArgumentException("not a " + FORMAT + " header");
            }
            if (!(h.get("version") instanceof Long v) || v != VERSION) {
                throw new IllegalArgumentException("index version " + h.get("version") + ", this program reads " + VERSION);
            }
            @SuppressWarnings("unchecked")
            Header header = new Header(String.valueOf(h.get("root")), String.valueOf(h.get("reader")),
                    ((Number) h.get("max_pixels")).longValue(),
                    LabelOptions.fromJson((Map<String, Object>) h.get("label_options")),
                    OrdinalCuts.fromJson((Map<String, Object>) h.get("cuts")), String.valueOf(h.get("cuts_source")));
            List<IndexEntry> entries = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                if (lines.get(i).isEmpty()) {
                    continue;
                }
                String where = file + " line " + (i + 1);
                entries.add(IndexEntry.fromJson(Json.parseObject(lines.get(i), where), where));
            }
            return new ImageIndex(header, entries);
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a valid image index: " + e.getMessage(), e);
        }
    }
}
