package org.blades.embed;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.blades.data.ImageBytes;
import org.blades.data.ImageDecoder;
import org.blades.data.ImageFileException;
import org.blades.data.Preprocess;
import org.blades.tensor.Tensor;

// N = images, B = batch, D = feature dimensions, H/W = model input height/width

/**
 * Embeds many image files with a frozen {@link ImageEncoder}: worker threads read, hash and decode files a little
 * ahead of the encoder, which runs batches of B images. Every file ends as exactly one {@link Outcome}, in input
 * order: an embedded row, taken from the cache when its file SHA-256 is there, or a failure with its reason. A bad
 * file never stops the run; only an error of the encoder itself (a bug, out of memory) does.
 */
public final class Embedder {
    private Embedder() {
    }

    /**
     * @param features  preprocessing (and optional JPEG re-encoding)
     * @param batchSize B, images per encoder call
     * @param threads   files decoded in parallel
     */
    public record Options(FeatureOptions features, int batchSize, int threads) {
        public Options {
            if (features == null || batchSize < 1 || threads < 1) {
                throw new IllegalArgumentException("Embedder.Options: need features, batchSize >= 1 and threads >= 1, "
                        + "got " + features + ", " + batchSize + ", " + threads);
            }
        }
    }

    /** Called from the calling thread as images complete (a batch of computed ones at once). */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total, int failed);
    }

    /**
     * What the file is, from its bytes and header (of the original file, before any re-encoding): the evaluation
     * compares these between photographs and AI-generated images.
     *
     * @param format JPEG, PNG, BMP or GIF, from the leading bytes
     * @param width  stored width (before EXIF orientation)
     * @param height stored height
     * @param bytes  file size
     */
    public record Facts(String format, int width, int height, long bytes) {
    }

    /** One input's result. */
    public sealed interface Outcome permits Embedded, Failed {
        ImageInputs.Item item();
    }

    /**
     * @param feature (D) unit length
     * @param reused  taken from the cache rather than computed
     */
    public record Embedded(ImageInputs.Item item, String sha256, float[] feature, boolean reused, Facts facts)
            implements Outcome {
    }

    /** @param facts null unless the header could be read */
    public record Failed(ImageInputs.Item item, FeatureFile.Failure failure, Facts facts) implements Outcome {
    }

    /**
     * @param outcomes one per input, in input order
     */
    public record Result(List<Outcome> outcomes, int reused, int computed, int failed) {

        public List<FeatureFile.Row> rows() {
            List<FeatureFile.Row> out = new ArrayList<>();
            for (Outcome o : outcomes) {
                if (o instanceof Embedded e) {
                    out.add(new FeatureFile.Row(e.item().name(), e.sha256(), e.feature()));
                }
            }
            return out;
        }

        public List<FeatureFile.Failure> failures() {
            List<FeatureFile.Failure> out = new ArrayList<>();
            for (Outcome o : outcomes) {
                if (o instanceof Failed f) {
                    out.add(f.failure());
                }
            }
            return out;
        }

        /** The embedded rows and failures as a features file of {@code encoder} under {@code options}. */
        public FeatureFile toFile(EncoderId encoder, FeatureOptions options) {
            return FeatureFile.of(encoder, options, rows(), failures());
        }
    }

    /** A file read and decoded by a worker: exactly one of input, cached and failure is set. */
    private record Prepared(String sha256, Facts facts, float[] input, float[] cached, FeatureFile.Failure failure) {
    }

    /**
     * Embeds {@code items}.
     *
     * @param cache rows by file SHA-256 made with the same encoder and options (callers check the cache key); may be
     *              empty, never written
     */
    public static Result run(ImageEncoder encoder, List<ImageInputs.Item> items, Options options,
                             Map<String, float[]> cache, Progress progress) {
        int n = items.size();
        Outcome[] out = new Outcome[n];
        int[] counts = new int[3]; // reused, computed, failed
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "blades-embed");
            t.setDaemon(true);
            return t;
        });
        try {
            // Enough files in flight to keep the workers busy while the encoder runs a batch.
            int window = 2 * options.batchSize() + options.threads();
            Deque<Future<Prepared>> inFlight = new ArrayDeque<>();
            int submitted = 0;
            List<Integer> pending = new ArrayList<>();
            List<Prepared> pendingPrep = new ArrayList<>();
            int done = 0;
            for (int i = 0; i < n; i++) {
                while (submitted < n && inFlight.size() < window) {
                    ImageInputs.Item item = items.get(submitted++);
                    inFlight.add(pool.submit(() -> prepare(item, options.features(), cache)));
                }
                Prepared p = take(inFlight.poll(), items.get(i));
                if (p.failure() != null) {
                    out[i] = new Failed(items.get(i), p.failure(), p.facts());
                    counts[2]++;
                    progress.update(++done, n, counts[2]);
                } else if (p.cached() != null) {
                    out[i] = new Embedded(items.get(i), p.sha256(), p.cached(), true, p.facts());
                    counts[0]++;
                    progress.update(++done, n, counts[2]);
                } else {
                    pending.add(i);
                    pendingPrep.add(p);
                    if (pending.size() == options.batchSize()) {
                        int b = flush(encoder, items, pending, pendingPrep, out, options.features());
                        done += b;
                        counts[1] += b;
                        progress.update(done, n, counts[2]);
                    }
                }
            }
            if (!pending.isEmpty()) {
                int b = flush(encoder, items, pending, pendingPrep, out, options.features());
                done += b;
                counts[1] += b;
                progress.update(done, n, counts[2]);
            }
        } finally {
            pool.shutdownNow();
        }
        return new Result(List.of(out), counts[0], counts[1], counts[2]);
    }

    /** Runs the encoder on the pending inputs, stores their outcomes, clears the lists; returns how many. */
    private static int flush(ImageEncoder encoder, List<ImageInputs.Item> items, List<Integer> pending,
                             List<Prepared> prepared, Outcome[] out, FeatureOptions options) {
        int b = pending.size();
        int h = options.preprocess().height();
        int w = options.preprocess().width();
        int size = 3 * h * w;
        float[] batch = new float[b * size]; // (B, 3, H, W)
        for (int j = 0; j < b; j++) {
            System.arraycopy(prepared.get(j).input(), 0, batch, j * size, size);
        }
        float[] f = encoder.embed(Tensor.of(batch, b, 3, h, w)).f32(); // (B, D)
        int d = encoder.dimensions();
        for (int j = 0; j < b; j++) {
            int i = pending.get(j);
            Prepared p = prepared.get(j);
            out[i] = new Embedded(items.get(i), p.sha256(), Arrays.copyOfRange(f, j * d, (j + 1) * d), false, p.facts());
        }
        pending.clear();
        prepared.clear();
        return b;
    }

    private static Prepared take(Future<Prepared> f, ImageInputs.Item item) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("embedding interrupted at " + item.name(), e);
        } catch (ExecutionException e) {
            // prepare() catches everything per file; reaching this is a bug, reported against the file anyway.
            return new Prepared(null, null, null, null, new FeatureFile.Failure(item.name(), null, "internal error",
                    item.name() + ": internal error: " + e.getCause()));
        }
    }

    /** Never throws for a bad file: read, hash, header, then the cache or a decoded model input. */
    private static Prepared prepare(ImageInputs.Item item, FeatureOptions options, Map<String, float[]> cache) {
        ImageBytes bytes;
        try {
            bytes = new ImageBytes(item.name(), ImageBytes.read(item.file()).bytes());
        } catch (ImageFileException e) {
            return failed(item, null, null, e);
        }
        String sha = sha256(bytes.bytes());
        Facts facts;
        try {
            ImageDecoder.Header h = ImageDecoder.header(bytes);
            facts = new Facts(h.format().name(), h.width(), h.height(), bytes.bytes().length);
        } catch (ImageFileException e) {
            return failed(item, sha, null, e);
        }
        float[] hit = cache.get(sha);
        if (hit != null) {
            return new Prepared(sha, facts, null, hit, null);
        }
        try {
            ImageBytes in = options.jpegQuality() == 0 ? bytes
                    : JpegRecompression.reencode(bytes, options.jpegQuality(), options.preprocess().decode());
            return new Prepared(sha, facts, Preprocess.load(in, options.preprocess()).f32(), null, null);
        } catch (ImageFileException e) {
            return failed(item, sha, facts, e);
        } catch (RuntimeException e) {
            return new Prepared(sha, facts, null, null, new FeatureFile.Failure(item.name(), sha, "internal error",
                    item.name() + ": internal error: " + e));
        }
    }

    private static Prepared failed(ImageInputs.Item item, String sha, Facts facts, ImageFileException e) {
        return new Prepared(sha, facts, null, null, new FeatureFile.Failure(item.name(), sha, e.reason().words(),
                e.getMessage()));
    }

    /** Lowercase hex SHA-256 of a file's bytes, as the image index records it. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
