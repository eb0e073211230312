package org.blades.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Builds an {@link ImageIndex} of a folder: every image file under it (by extension: jpg, jpeg, jpe, png, bmp, gif,
 * any case; symbolic links are not followed), sorted by relative path, with size, modification time, SHA-256, the
 * EXIF values and the displayed dimensions, or the reason it cannot be used. Every file is fully decoded, so a
 * truncated or corrupt image is caught here rather than in training. One bad file never stops the run.
 *
 * <p>Reuse: given the previous index of the same folder (same {@link ImageIndex#READER} and pixel limit), a file
 * whose (path, size, modification time) is unchanged keeps its entry without being read; a file of unchanged size
 * but a new modification time is hashed, and keeps its entry when the SHA-256 is unchanged. Everything else is read
 * afresh. Labels are always recomputed from the raw values and the cut points.
 */
public final class IndexBuilder {
    private IndexBuilder() {
    }

    /**
     * @param labels     label options (ignored in favour of the fixed cuts' options when those are given)
     * @param decode     decoder limits; the index always applies the EXIF orientation to its dimensions
     * @param threads    files processed in parallel
     * @param fixedCuts  cut points to use instead of fitting them on this folder (e.g. a training index's), or null
     * @param cutsSource how the fixed cuts are described in the header; ignored when fixedCuts is null
     * @param faces      FDF-style annotations by image id (see {@link #faceFor}); empty when there is no side file
     */
    public record Options(LabelOptions labels, DecodeOptions decode, int threads, OrdinalCuts fixedCuts,
            String cutsSource, Map<String, FaceAnnotation> faces) {
        public Options {
            if (threads < 1) {
                throw new IllegalArgumentException("index options: threads must be >= 1, got " + threads);
            }
            faces = Map.copyOf(faces);
        }

        public static Options defaults() {
            return new Options(LabelOptions.PAPER, DecodeOptions.DEFAULT, 1, null, null, Map.of());
        }

        public Options withThreads(int n) {
            return new Options(labels, decode, n, fixedCuts, cutsSource, faces);
        }
    }

    /** Called after each file, in path order, from the calling thread. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total, int unreadable);
    }

    /**
     * @param reused      entries taken over unread (same path, size and modification time)
     * @param verified    entries taken over after the SHA-256 confirmed a file with a new modification time
     * @param read        files read and decoded
     * @param facesUnused annotations of the side file that matched no image
     */
    public record Result(ImageIndex index, int reused, int verified, int read, int facesUnused) {
    }

    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "jpe", "png", "bmp", "gif");

    /**
     * Indexes {@code root}. {@code rootName} is written into the header as given (keeps the file free of
     * machine-specific absolute paths); {@code previous} may be null.
     */
    public static Result build(Path root, String rootName, Options options, ImageIndex previous, Progress progress)
            throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a directory");
        }
        List<String> files = listImages(root);
        Map<String, IndexEntry> old = new HashMap<>();
        if (previous != null && previous.header().reader().equals(ImageIndex.READER)
                && previous.header().maxPixels() == options.decode().maxPixels()) {
            for (IndexEntry e : previous.entries()) {
                old.put(e.path(), e);
            }
        }
        Set<String> usedFaces = new HashSet<>();
        List<Outcome> outcomes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "blades-index");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (String rel : files) {
                futures.add(pool.submit(() -> process(root, rel, old.get(rel), options)));
            }
            int unreadable = 0;
            for (int i = 0; i < futures.size(); i++) {
                Outcome o = get(futures.get(i), files.get(i));
                outcomes.add(o);
                unreadable += o.entry() instanceof IndexEntry.Unreadable ? 1 : 0;
                progress.update(i + 1, files.size(), unreadable);
            }
        } finally {
            pool.shutdownNow();
        }

        List<IndexEntry> entries = new ArrayList<>();
        int reused = 0;
        int verified = 0;
        int read = 0;
        for (Outcome o : outcomes) {
            IndexEntry e = o.entry();
            if (e instanceof IndexEntry.Image img) {
                String key = faceKey(img.path(), options.faces());
                if (key != null) {
                    usedFaces.add(key);
                }
                e = img.with(img.mtimeMillis(), key == null ? null : options.faces().get(key));
            }
            entries.add(e);
            switch (o.how()) {
                case REUSED -> reused++;
                case VERIFIED -> verified++;
                case READ -> read++;
            }
        }

        OrdinalCuts cuts;
        LabelOptions labels;
        String cutsSource;
        if (options.fixedCuts() != null) {
            cuts = options.fixedCuts();
            labels = options.labels();
            cutsSource = options.cutsSource();
        } else {
            List<ExifValues> values = new ArrayList<>();
            for (IndexEntry e : entries) {
                if (e instanceof IndexEntry.Image i) {
                    values.add(i.exif());
                }
            }
            cuts = OrdinalCuts.fit(values, options.labels());
            labels = options.labels();
            cutsSource = "fitted on the " + values.size() + " images of this index (nearest-rank tertiles)";
        }
        ImageIndex.Header header = new ImageIndex.Header(rootName, ImageIndex.READER, options.decode().maxPixels(),
                labels, cuts, cutsSource);
        return new Result(new ImageIndex(header, entries), reused, verified, read,
                options.faces().size() - usedFaces.size());
    }

    private enum How { REUSED, VERIFIED, READ }

    private record Outcome(IndexEntry entry, How how) {
    }

    private static Outcome get(Future<Outcome> f, String rel) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("indexing interrupted at " + rel, e);
        } catch (ExecutionException e) {
            // process() catches everything per file; reaching this is a bug, reported against the file anyway.
            return new Outcome(new IndexEntry.Unreadable(rel, -1, -1, null, "internal error",
                    rel + ": internal error: " + e.getCause()), How.READ);
        }
    }

    /** The image files under root, relative, '/'-separated, sorted. */
    static List<String> listImages(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) { // no FOLLOW_LINKS: a link cycle cannot trap the walk
            walk.filter(Files::isRegularFile).forEach(p -> {
                String name = p.getFileName().toString();
                int dot = name.lastIndexOf('.');
                if (dot > 0 && !name.startsWith(".") && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                    StringBuilder rel = new StringBuilder();
                    for (Path part : root.relativize(p)) {
                        rel.append(rel.length() == 0 ? "" : "/").append(part);
                    }
                    out.add(rel.toString());
                }
            });
        }
        out.sort(String::compareTo);
        return out;
    }

    /**
     * The side-file key of an image: its relative path without extension ("sub/123"), else its file name without
     * extension ("123", FDF's image ids), else the relative path or file name with extension; null when none is a
     * key.
     */
    static String faceKey(String rel, Map<String, FaceAnnotation> faces) {
        if (faces.isEmpty()) {
            return null;
        }
        String name = rel.substring(rel.lastIndexOf('/') + 1);
        String noExt = rel.substring(0, rel.lastIndexOf('.'));
        String stem = name.substring(0, name.lastIndexOf('.'));
        for (String k : new String[] {noExt, stem, rel, name}) {
            if (faces.containsKey(k)) {
                return k;
            }
        }
        return null;
    }

    /** Never throws: every failure becomes an Unreadable entry naming the file. */
    private static Outcome process(Path root, String rel, IndexEntry previous, Options options) {
        Path file = root.resolve(rel);
        long size;
        long mtime;
        try {
            size = Files.size(file);
            mtime = Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return new Outcome(new IndexEntry.Unreadable(rel, -1, -1, null, ImageFileException.Reason.UNREADABLE.words(),
                    rel + ": unreadable: " + e.getMessage()), How.READ);
        }
        if (previous != null && previous.bytes() == size && previous.mtimeMillis() == mtime) {
            return new Outcome(previous, How.REUSED);
        }
        ImageBytes bytes;
        try {
            bytes = new ImageBytes(rel, ImageBytes.read(file).bytes());
        } catch (ImageFileException e) {
            return new Outcome(new IndexEntry.Unreadable(rel, size, mtime, null, e.reason().words(),
                    rel + ": " + e.reason().words() + ": " + e.detail()), How.READ);
        }
        String sha = sha256(bytes.bytes());
        if (previous != null && previous.bytes() == size && sha.equals(previous.sha256())) {
            IndexEntry moved = previous instanceof IndexEntry.Image i ? i.with(mtime, i.face())
                    : ((IndexEntry.Unreadable) previous).withMtime(mtime);
            return new Outcome(moved, How.VERIFIED);
        }
        try {
            return new Outcome(entry(bytes, rel, size, mtime, sha, options), How.READ);
        } catch (RuntimeException e) {
            return new Outcome(new IndexEntry.Unreadable(rel, size, mtime, sha, "internal error",
                    rel + ": internal error: " + e), How.READ);
        }
    }

    private static IndexEntry entry(ImageBytes bytes, String rel, long size, long mtime, String sha, Options options) {
        ExifValues exif;
        List<String> problems;
        try {
            ExifExtractor.Reading r = ExifExtractor.read(bytes);
            exif = r.values();
            problems = r.warnings();
        } catch (ImageFileException e) {
            // The pixels may still be fine; the tags are then all missing (masked), and the reason is kept.
            exif = ExifValues.NONE;
            problems = List.of(e.reason().words() + ": " + e.detail());
        }
        ImageDecoder.Header h;
        try {
            h = ImageDecoder.verify(bytes, options.decode());
        } catch (ImageFileException e) {
            return new IndexEntry.Unreadable(rel, size, mtime, sha, e.reason().words(), e.getMessage());
        }
        Integer o = exif.orientation();
        boolean transposed = o != null && o >= 5 && o <= 8;
        return new IndexEntry.Image(rel, size, mtime, sha, h.format().name(), transposed ? h.height() : h.width(),
                transposed ? h.width() : h.height(), exif, problems, null);
    }

    static String sha256(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder sb = new StringBuilder(64);
            for (byte b : d) {
                sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
