package org.blades.nn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.io.StDType;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

/**
 * A training checkpoint: the model's state dict, named extra tensors (optimizer moments, the task weights λ, ...)
 * and JSON metadata (config, step, RNG state, ...). No Java serialization: one safetensors file plus a SHA-256
 * sidecar.
 *
 * <p>On disk, {@code <file>} is a safetensors file with the model tensors under {@code model.<key>} (integer
 * buffers as I64), the extras under {@code extra.<name>}, and in its {@code __metadata__} the entries
 * {@code "format": "blades-checkpoint/1"} and {@code "metadata": <the metadata as JSON>}. {@code <file>.sha256}
 * holds the file's SHA-256 in sha256sum's format ({@code <hex>  <file name>}), so {@code sha256sum -c} checks it.
 *
 * <p>Writing: the safetensors file goes to a temporary file in the same directory, fsync'd and atomically renamed
 * over {@code <file>}; then the sidecar likewise. The sidecar's rename is the commit point: a crash between the
 * two renames leaves a new file with the previous sidecar, which {@link #read} refuses with a hash mismatch
 * rather than loading an unverified file. No temporary file survives a failed write. One writer per path is
 * assumed (the training loop); verification guards against torn, corrupt or swapped files, not concurrent writers.
 *
 * @param model    the model's tensors (live ones when built with {@link #of}; copies when read)
 * @param extras   float32 or float64 tensors by name, e.g. "adam.exp_avg.fc.weight", "lambda"
 * @param metadata JSON values (Map, List, String, Long, Double, Boolean, null) by key
 */
public record Checkpoint(StateDict model, Map<String, Tensor> extras, Map<String, Object> metadata) {
    public static final String FORMAT = "blades-checkpoint/1";
    private static final String MODEL_PREFIX = "model.";
    private static final String EXTRA_PREFIX = "extra.";

    /** Copies the maps (not the tensors) and checks that the metadata is JSON. */
    public Checkpoint {
        if (model == null || extras == null || metadata == null) {
            throw new IllegalArgumentException("checkpoint: model, extras and metadata must be non-null");
        }
        for (Map.Entry<String, Tensor> e : extras.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new IllegalArgumentException("checkpoint: extra tensor names must be non-empty and tensors "
                        + "non-null, got '" + e.getKey() + "'");
            }
        }
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        Json.write(metadata); // fails now, naming the value, if something is not JSON
    }

    /** The live state of {@code model} with extras and metadata, ready to {@link #write}. */
    public static Checkpoint of(Module model, Map<String, Tensor> extras, Map<String, Object> metadata) {
        return new Checkpoint(StateDict.of(model), extras, metadata);
    }

    /** The sidecar holding the SHA-256 of {@code path}: {@code <path>.sha256}. */
    public static Path hashFile(Path path) {
        return path.resolveSibling(path.getFileName() + ".sha256");
    }

    /** The extra tensor {@code name}; an unknown name throws, listing the names there are. */
    public Tensor extra(String name) {
        Tensor t = extras.get(name);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint: no extra tensor '" + name + "'; extras: "
                    + extras.keySet());
        }
        return t;
    }

    /**
     * Writes the checkpoint file and then its sidecar, each atomically (see the class comment).
     *
     * @return the SHA-256 of the checkpoint file, lowercase hex
     */
    public String write(Path path) throws IOException {
        Safetensors.Writer w = Safetensors.writer();
        w.metadata("format", FORMAT);
        w.metadata("metadata", Json.write(metadata));
        model.writeTo(w, MODEL_PREFIX);
        for (Map.Entry<String, Tensor> e : extras.entrySet()) {
            Tensor t = e.getValue().contiguous().detach();
            if (t.dtype() == DType.F32) {
                w.put(EXTRA_PREFIX + e.getKey(), t.toFloatArray(), t.shape());
            } else {
                w.put(EXTRA_PREFIX + e.getKey(), t.toDoubleArray(), t.shape());
            }
        }
        String sha = w.write(path);
        writeAtomically(hashFile(path), sha + "  " + path.getFileName() + "\n");
        return sha;
    }

    /**
     * Verifies {@code path} against its sidecar, then reads it (model tensors and extras are copies).
     *
     * @throws IOException naming both hashes when they differ, or when the sidecar is missing or malformed
     */
    public static Checkpoint read(Path path) throws IOException {
        verify(path);
        try (SafetensorsFile file = Safetensors.open(path)) {
            String format = file.metadata().get("format");
            if (!FORMAT.equals(format)) {
                throw new IOException("checkpoint " + path + ": format is "
                        + (format == null ? "absent" : "'" + format + "'") + ", expected '" + FORMAT + "' (a plain weights file loads with StateDict.load)");
            }
            Map<String, Object> metadata = Json.parseObject(file.metadata().getOrDefault("metadata", "{}"),
                    "metadata of checkpoint " + path);
            Map<String, Tensor> extras = new LinkedHashMap<>();
            for (String name : file.names()) {
                if (name.startsWith(EXTRA_PREFIX)) {
                    extras.put(name.substring(EXTRA_PREFIX.length()), readExtra(file, name));
                } else if (!name.startsWith(MODEL_PREFIX)) {
                    throw new IOException("checkpoint " + path + ": tensor '" + name + "' is neither under '"
                            + MODEL_PREFIX + "' nor under '" + EXTRA_PREFIX + "'");
                }
            }
            return new Checkpoint(StateDict.read(file, MODEL_PREFIX), extras, metadata);
        }
    }

    /**
     * Checks that the SHA-256 of {@code path} equals the one its sidecar records.
     *
     * @return the verified hash
     */
    public static String verify(Path path) throws IOException {
        Path sidecar = hashFile(path);
        String recorded;
        try {
            recorded = Files.readString(sidecar, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("checkpoint " + path + ": hash file " + sidecar + " is missing, so the checkpoint "
                    + "cannot be verified (it was not completely written)", e);
        }
        String expected = recorded.isEmpty() ? "" : recorded.split("\\s+", 2)[0];
        if (!expected.matches("[0-9a-f]{64}")) {
            throw new IOException("checkpoint " + path + ": hash file " + sidecar + " does not start with a SHA-256 "
                    + "(64 lowercase hex digits): '" + abbreviate(recorded) + "'");
        }
        String actual = Safetensors.sha256(path);
        if (!actual.equals(expected)) {
            throw new IOException("checkpoint " + path + ": SHA-256 mismatch: the file hashes to " + actual + " but "
                    + sidecar.getFileName() + " records " + expected + "; the file is corrupt, truncated or was "
                    + "replaced after the hash was written");
        }
        return actual;
    }

    private static Tensor readExtra(SafetensorsFile file, String name) {
        StDType dtype = file.info(name).dtype();
        int[] shape = file.shape(name);
        if (dtype == StDType.F64) {
            return Tensor.of(file.doubles(name), shape);
        }
        if (dtype.isFloating()) {
            return Tensor.of(file.floats(name), shape);
        }
        throw new IllegalArgumentException("checkpoint " + file.path() + ": extra tensor '" + name + "' is " + dtype
                + " " + file.info(name).shapeString() + "; extras are float tensors");
    }

    /**
     * Temp file in the target's directory, fsync'd, then an atomic rename; the temp file never outlives a failure.
     * createTempFile makes the file 0600; the sidecar gets the usual rw-r--r-- like the checkpoint beside it.
     */
    private static void writeAtomically(Path target, String text) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (view != null) {
                view.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("checkpoint: " + abs + ": the file system cannot rename atomically", e);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 80 ? t : t.substring(0, 77) + "...";
    }
}
