package org.blades.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

// numel = elements of one tensor (product of its shape)

/**
 * The project's one file format for weights, checkpoints and reference data.
 *
 * <p>Layout: an 8-byte little-endian u64 header length N; N bytes of UTF-8 JSON
 * {@code {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}};
 * then the data section, each tensor little-endian and row-major at [begin, end) relative to the data start.
 *
 * <p>{@link #open} validates the whole header before returning: file long enough for the length
 * prefix; header length within the file and below 100 MB; header UTF-8, strict JSON, starting with
 * '{'; every entry an object with exactly dtype/shape/data_offsets; dtype supported; dimensions
 * non-negative ints; end - begin == numel * itemsize; offsets inside the data section; tensors tiling
 * the data section with no overlap, gap or tail (as the reference implementation requires);
 * __metadata__ a string-to-string object. Any violation is a {@link SafetensorsFormatException}
 * naming the file and, where one is at fault, the tensor.
 */
public final class Safetensors {

    private Safetensors() {
    }

    /** Opens and validates {@code path}; see the class comment for what is checked. */
    public static SafetensorsFile open(Path path) throws IOException {
        return SafetensorsFile.open(path, Integer.MAX_VALUE, 1 << 30);
    }

    /** A new, empty writer. */
    public static Writer writer() {
        return new Writer();
    }

    /** Lowercase hex SHA-256 of a file's bytes. */
    public static String sha256(Path path) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return hex(digest.digest());
    }

    /**
     * Collects tensors and metadata, then writes them atomically with {@link #write(Path)}.
     *
     * <p>Data arrays are kept by reference and encoded only during write(), so a checkpoint is not held
     * twice in memory: do not modify them in between. Output is deterministic: tensors in name order
     * (String.compareTo), metadata keys sorted, compact JSON header padded with spaces to a multiple of 8
     * bytes (so the data section starts 8-byte aligned).
     */
    public static final class Writer {
        private final Map<String, Entry> tensors = new TreeMap<>();
        private final Map<String, String> metadata = new TreeMap<>();

        private record Entry(String name, StDType dtype, int[] shape, Object data, long byteSize) {
        }

        public Writer() {
        }

        /** F32 tensor of {@code shape} (row-major; no dims = scalar). */
        public Writer put(String name, float[] data, int... shape) {
            return add(name, StDType.F32, data, data.length, shape);
        }

        /** F64 tensor. */
        public Writer put(String name, double[] data, int... shape) {
            return add(name, StDType.F64, data, data.length, shape);
        }

        /** I64 tensor. */
        public Writer put(String name, long[] data, int... shape) {
            return add(name, StDType.I64, data, data.length, shape);
        }

        /** I32 tensor. */
        public Writer put(String name, int[] data, int... shape) {
            return add(name, StDType.I32, data, data.length, shape);
        }

        /** BOOL tensor (one byte per element, 0 or 1). */
        public Writer put(String name, boolean[] data, int... shape) {
            return add(name, StDType.BOOL, data, data.length, shape);
        }

        /**
         * A tensor given as its raw little-endian bytes, for dtypes without a Java array type (F16, BF16, U8).
         * {@code bytes.length} must be numel * itemsize.
         */
        public Writer putRaw(String name, StDType dtype, byte[] bytes, int... shape) {
            if (bytes.length % dtype.itemSize() != 0) {
                throw new IllegalArgumentException("safetensors writer: tensor '" + name + "': " + bytes.length
                        + " bytes is not a whole number of " + dtype + " elements (" + dtype.itemSize() + " bytes each)");
            }
            return add(name, dtype, bytes, bytes.length / dtype.itemSize(), shape);
        }

        /** A "__metadata__" entry; each key may be set once. */
        public Writer metadata(String key, String value) {
            if (key == null || value == null) {
                throw new IllegalArgumentException("safetensors writer: metadata key and value must be non-null (key " + key + ")");
            }
            if (metadata.containsKey(key)) {
                throw new IllegalArgumentException("safetensors writer: metadata key '" + key + "' set twice");
            }
            metadata.put(key, value);
            return this;
        }

        private Writer add(String name, StDType dtype, Object data, int length, int[] shape) {
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("safetensors writer: invalid tensor name " + (name == null ? "null" : "'" + name + "'"));
            }
            if (tensors.containsKey(name)) {
                throw new IllegalArgumentException("safetensors writer: tensor '" + name + "' put twice");
            }
            long numel = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("safetensors writer: tensor '" + name + "': negative dimension in shape "
                            + TensorInfo.formatShape(shape));
                }
                numel *= d; // no overflow: each factor < 2^31 and the product is compared with an int below
                if (numel > Integer.MAX_VALUE) {
                    break;
                }
            }
            if (numel != length) {
                throw new IllegalArgumentException("safetensors writer: tensor '" + name + "': shape " + TensorInfo.formatShape(shape)
                        + " has " + numel + " elements but the data has " + length);
            }
            tensors.put(name, new Entry(name, dtype, shape.clone(), data, numel * dtype.itemSize()));
            return this;
        }

        /**
         * Writes the file: to a temp file in the target's directory, fsync'd, then renamed over {@code target}
         * with ATOMIC_MOVE, so readers see either the old file or the complete new one, never a torn one. On
         * failure the temp file is removed and an existing target is untouched.
         *
         * @return lowercase hex SHA-256 of the bytes written
         */
        public String write(Path target) throws IOException {
            return write(target, () -> { });
        }

        /** {@code beforeRename} runs after the temp file is complete; tests use it to inject a failure there. */
        String write(Path target, IoAction beforeRename) throws IOException {
            Path abs = target.toAbsolutePath();
            Path dir = abs.getParent();
            byte[] header = header();
            Path tmp = null;
            boolean done = false;
            try {
                tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
                // createTempFile makes the file 0600; a weights file should have the usual permissions (or keep the old file's).
                setPermissions(tmp, abs);
                MessageDigest digest = newSha256();
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    flush(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length), digest);
                    flush(ch, ByteBuffer.wrap(header), digest);
                    ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                    for (Entry e : tensors.values()) {
                        writeData(ch, buf, digest, e);
                    }
                    ch.force(true);
                }
                beforeRename.run();
                try {
                    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("safetensors writer: " + abs + ": the file system cannot rename atomically", e);
                }
                done = true;
                syncDirectory(dir);
                return hex(digest.digest());
            } catch (IOException e) {
                throw new IOException("safetensors writer: cannot write " + abs + ": " + e, e);
            } finally {
                if (!done && tmp != null) {
                    Files.deleteIfExists(tmp);
                }
            }
        }

        private byte[] header() {
            Map<String, Object> h = new LinkedHashMap<>();
            if (!metadata.isEmpty()) {
                h.put("__metadata__", metadata);
            }
            long offset = 0;
            for (Entry e : tensors.values()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("dtype", e.dtype().name());
                List<Object> shape = new ArrayList<>();
                for (int d : e.shape()) {
                    shape.add((long) d);
                }
                entry.put("shape", shape);
                entry.put("data_offsets", List.of(offset, offset + e.byteSize()));
                h.put(e.name(), entry);
                offset += e.byteSize();
            }
            byte[] json = Json.write(h).getBytes(StandardCharsets.UTF_8);
            int padded = (json.length + 7) / 8 * 8;
            if (padded > SafetensorsFile.MAX_HEADER_BYTES) {
                throw new IllegalArgumentException("safetensors writer: header of " + padded + " bytes is above the "
                        + SafetensorsFile.MAX_HEADER_BYTES + "-byte limit readers enforce");
            }
            byte[] out = new byte[padded];
            System.arraycopy(json, 0, out, 0, json.length);
            for (int i = json.length; i < padded; i++) {
                out[i] = ' ';
            }
            return out;
        }

        /** Encodes one tensor through {@code buf} in pieces of whole elements. */
        private static void writeData(FileChannel ch, ByteBuffer buf, MessageDigest digest, Entry e) throws IOException {
            int item = e.dtype().itemSize();
            int perChunk = buf.capacity() / item;
            int n = (int) (e.byteSize() / item);
            for (int at = 0; at < n; at += perChunk) {
                int m = Math.min(perChunk, n - at);
                buf.clear();
                Object d = e.data();
                if (d instanceof float[]) {
                    buf.asFloatBuffer().put((float[]) d, at, m);
                } else if (d instanceof double[]) {
                    buf.asDoubleBuffer().put((double[]) d, at, m);
                } else if (d instanceof long[]) {
                    buf.asLongBuffer().put((long[]) d, at, m);
                } else if (d instanceof int[]) {
                    buf.asIntBuffer().put((int[]) d, at, m);
                } else if (d instanceof boolean[]) {
                    boolean[] b = (boolean[]) d;
                    for (int i = 0; i < m; i++) {
                        buf.put(i, (byte) (b[at + i] ? 1 : 0));
                    }
                } else {
                    buf.put((byte[]) d, at * item, m * item);
                }
                buf.position(0).limit(m * item);
                flush(ch, buf, digest);
            }
        }

        private static void flush(FileChannel ch, ByteBuffer buf, MessageDigest digest) throws IOException {
            digest.update(buf.duplicate());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    /** A step that may fail with an IOException. */
    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    private static void setPermissions(Path tmp, Path target) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        if (view == null) {
            return; // not POSIX (Windows): temp files get the directory's default ACL already
        }
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        view.setPermissions(perms);
    }

    /** Makes the rename durable. Some platforms cannot open a directory for fsync; the rename itself has happened by then. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Best effort only: the data is already fsync'd and renamed; losing the directory entry needs a crash right now.
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every Java platform", e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >>> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
