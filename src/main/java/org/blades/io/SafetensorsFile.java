package org.blades.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

// numel = elements of one tensor (product of its shape), rank = its number of dimensions

/**
 * An open, fully validated safetensors file. Obtain one with {@link Safetensors#open(Path)}.
 *
 * <p>The whole header is checked at open (see {@link Safetensors} for the list), so the accessors can
 * only fail for caller mistakes (unknown name, asking for floats from an integer tensor) or for I/O
 * errors while mapping. Data is memory-mapped read-only: one mapping of the data section when it is
 * below 2 GiB, otherwise a mapping per read (ByteBuffer indices are ints). Reads return fresh arrays
 * and may run concurrently.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Larger headers are refused, as the reference implementation does: a corrupt length must not allocate gigabytes. */
    static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;

    /** Java arrays cannot hold more elements than this (the VM reserves a few header words). */
    private static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;              // file offset of data byte 0 (= 8 + header length)
    private final long dataLength;
    private final int chunkBytes;              // mapping size per step when the data section is not mapped whole
    private final ByteBuffer wholeData;        // (dataLength) bytes, or null when the data section is >= wholeMapLimit
    private final Map<String, TensorInfo> infos; // in file order (by begin offset)
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, long dataLength, ByteBuffer wholeData,
                            int chunkBytes, Map<String, TensorInfo> infos, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.dataLength = dataLength;
        this.wholeData = wholeData;
        this.chunkBytes = chunkBytes;
        this.infos = infos;
        this.metadata = metadata;
    }

    /**
     * @param wholeMapLimit data sections at least this large are mapped per read instead of whole
     *                      (Integer.MAX_VALUE in production; tests lower it to exercise the > 2 GiB path)
     * @param chunkBytes    most bytes mapped at once on the per-read path
     */
    static SafetensorsFile open(Path path, long wholeMapLimit, int chunkBytes) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            SafetensorsFile f = openChannel(path, channel, wholeMapLimit, chunkBytes);
            channel = null; // owned by f now
            return f;
        } finally {
            if (channel != null) {
                channel.close();
            }
        }
    }

    private static SafetensorsFile openChannel(Path path, FileChannel channel, long wholeMapLimit, int chunkBytes)
            throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw formatError(path, "file is " + fileSize + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lenBuf, 0, path);
        long headerLength = lenBuf.getLong(0); // u64; a value >= 2^63 reads negative and fails the checks below
        if (headerLength < 0 || headerLength > fileSize - 8) {
            throw formatError(path, "header length " + Long.toUnsignedString(headerLength) + " exceeds the "
                    + (fileSize - 8) + " bytes that follow it (file size " + fileSize + "): truncated or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw formatError(path, "header length " + headerLength + " is above the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (headerLength < 2) {
            throw formatError(path, "header length " + headerLength + " is too small for a JSON object");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBuf, 8, path);
        if (headerBuf.get(0) != '{') {
            throw formatError(path, "header does not start with '{' (byte 0x" + Integer.toHexString(headerBuf.get(0) & 0xff) + ")");
        }
        String headerText;
        try {
            headerText = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBuf.rewind())
                    .toString();
        } catch (CharacterCodingException e) {
            throw formatError(path, "header is not valid UTF-8 (" + e + ")");
        }
        Map<String, Object> header;
        try {
            header = Json.parseObject(headerText, "header of " + path);
        } catch (Json.JsonException e) {
            throw new SafetensorsFormatException("safetensors " + path + ": malformed header: " + e.getMessage(), e);
        }

        long dataStart = 8 + headerLength;
        long dataLength = fileSize - dataStart;
        Map<String, String> metadata = Map.of();
        List<TensorInfo> list = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                metadata = parseMetadata(path, e.getValue());
            } else {
                list.add(parseEntry(path, e.getKey(), e.getValue(), dataLength));
            }
        }
        // Zero-size tensors share an offset with their neighbour; the name makes the order total.
        list.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end).thenComparing(TensorInfo::name));
        checkCoverage(path, list, dataLength);

        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (TensorInfo t : list) {
            infos.put(t.name(), t);
        }
        ByteBuffer whole = null;
        if (dataLength < wholeMapLimit) {
            whole = channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength).order(ByteOrder.LITTLE_ENDIAN);
        }
        return new SafetensorsFile(path, channel, dataStart, dataLength, whole, chunkBytes,
                Collections.unmodifiableMap(infos), metadata);
    }

    private static Map<String, String> parseMetadata(Path path, Object value) throws SafetensorsFormatException {
        if (!(value instanceof Map)) {
            throw formatError(path, "__metadata__ must be an object of strings, found " + describe(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> m : ((Map<?, ?>) value).entrySet()) {
            if (!(m.getValue() instanceof String)) {
                throw formatError(path, "__metadata__ entry '" + m.getKey() + "' must be a string, found " + describe(m.getValue()));
            }
            out.put((String) m.getKey(), (String) m.getValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseEntry(Path path, String name, Object value, long dataLength)
            throws SafetensorsFormatException {
        String where = "tensor '" + name + "': ";
        if (name.isEmpty()) {
            throw formatError(path, "tensor with an empty name");
        }
        if (!(value instanceof Map)) {
            throw formatError(path, where + "entry must be an object, found " + describe(value));
        }
        Map<?, ?> entry = (Map<?, ?>) value;
        for (Object key : entry.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw formatError(path, where + "unknown field '" + key + "' (expected dtype, shape, data_offsets)");
            }
        }
        Object dtypeValue = entry.get("dtype");
        if (!(dtypeValue instanceof String)) {
            throw formatError(path, where + "dtype must be a string, found " + describe(dtypeValue));
        }
        StDType dtype = StDType.fromHeader((String) dtypeValue);
        if (dtype == null) {
            throw formatError(path, where + "unsupported dtype \"" + dtypeValue + "\" (supported: "
                    + java.util.Arrays.toString(StDType.values()) + ")");
        }
        Object shapeValue = entry.get("shape");
        if (!(shapeValue instanceof List)) {
            throw formatError(path, where + "shape must be an array of integers, found " + describe(shapeValue));
        }
        List<?> shapeList = (List<?>) shapeValue;
        int[] shape = new int[shapeList.size()]; // (rank)
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            Object d = shapeList.get(i);
            if (!(d instanceof Long) || (Long) d < 0 || (Long) d > Integer.MAX_VALUE) {
                throw formatError(path, where + "shape " + shapeValue + ": dimension " + i + " must be an integer in [0, "
                        + Integer.MAX_VALUE + "], found " + d);
            }
            shape[i] = (int) (long) (Long) d;
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException overflow) {
                throw formatError(path, where + "shape " + shapeValue + " has more than 2^63 elements");
            }
        }
        Object offsetsValue = entry.get("data_offsets");
        if (!(offsetsValue instanceof List) || ((List<?>) offsetsValue).size() != 2
                || !(((List<?>) offsetsValue).get(0) instanceof Long) || !(((List<?>) offsetsValue).get(1) instanceof Long)) {
            throw formatError(path, where + "data_offsets must be [begin, end] integers, found " + describe(offsetsValue));
        }
        long begin = (Long) ((List<?>) offsetsValue).get(0);
        long end = (Long) ((List<?>) offsetsValue).get(1);
        if (begin < 0 || end < begin) {
            throw formatError(path, where + "data_offsets [" + begin + ", " + end + "] must satisfy 0 <= begin <= end");
        }
        if (end > dataLength) {
            throw formatError(path, where + "data_offsets [" + begin + ", " + end + "] run past the end of the data section ("
                    + dataLength + " bytes): truncated file?");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, dtype.itemSize());
        } catch (ArithmeticException overflow) {
            throw formatError(path, where + "shape " + TensorInfo.formatShape(shape) + " is too large");
        }
        if (end - begin != expected) {
            throw formatError(path, where + "data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                    + " bytes but " + dtype + " " + TensorInfo.formatShape(shape) + " needs " + numel + " * "
                    + dtype.itemSize() + " = " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** Tensors must tile the data section exactly, as the reference implementation requires: no overlap, no gap, no tail. */
    private static void checkCoverage(Path path, List<TensorInfo> sorted, long dataLength) throws SafetensorsFormatException {
        long cursor = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < cursor) {
                throw formatError(path, "tensor '" + t.name() + "' bytes [" + t.begin() + ", " + t.end()
                        + ") overlap tensor '" + previous.name() + "' bytes [" + previous.begin() + ", " + previous.end() + ")");
            }
            if (t.begin() > cursor) {
                throw formatError(path, "gap of " + (t.begin() - cursor) + " unused bytes before tensor '" + t.name()
                        + "' (data bytes [" + cursor + ", " + t.begin() + ") belong to no tensor)");
            }
            cursor = t.end();
            previous = t;
        }
        if (cursor != dataLength) {
            throw formatError(path, "data section is " + dataLength + " bytes but the tensors cover only " + cursor
                    + " (trailing bytes belong to no tensor)");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Queries

    public Path path() {
        return path;
    }

    /** Tensor names in file order (by data offset). */
    public List<String> names() {
        return List.copyOf(infos.keySet());
    }

    public boolean contains(String name) {
        return infos.containsKey(name);
    }

    /** Header entry of {@code name}; an unknown name throws, listing the closest names in the file. */
    public TensorInfo info(String name) {
        TensorInfo t = infos.get(name);
        if (t == null) {
            throw new IllegalArgumentException("safetensors " + path + ": no tensor '" + name + "'"
                    + closeNames(name) + " (the file has " + infos.size() + " tensors)");
        }
        return t;
    }

    /** The string map under "__metadata__" (empty if absent), in header order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Shape of {@code name} (copy). */
    public int[] shape(String name) {
        return info(name).shape();
    }

    // ------------------------------------------------------------------------------------------------
    // Data

    /** F32, F16 or BF16 as float32 (exact). F64 is refused: see {@link #floatsNarrowed}. */
    public float[] floats(String name) {
        TensorInfo t = info(name);
        if (t.dtype() == StDType.F64) {
            throw new IllegalArgumentException(where(t) + "is F64; floats() would round it. Use doubles(), or floatsNarrowed() "
                    + "to round to float32 on purpose");
        }
        return readFloats(t);
    }

    /** Any floating dtype as float32; F64 values are rounded to the nearest float. */
    public float[] floatsNarrowed(String name) {
        TensorInfo t = info(name);
        if (t.dtype() != StDType.F64) {
            return readFloats(t);
        }
        double[] d = readDoubles(t); // (numel)
        float[] out = new float[d.length]; // (numel)
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** F64, F32, F16 or BF16 as float64 (exact in every case). */
    public double[] doubles(String name) {
        return readDoubles(info(name));
    }

    /** I64, I32 or U8 as long (U8 is unsigned: 0..255). */
    public long[] longs(String name) {
        TensorInfo t = info(name);
        long[] out = new long[arrayLength(t)]; // (numel)
        switch (t.dtype()) {
            case I64 -> forEachChunk(t, (buf, at) -> buf.asLongBuffer().get(out, at, buf.remaining() / 8));
            case I32 -> forEachChunk(t, (buf, at) -> {
                for (int i = 0, n = buf.remaining() / 4; i < n; i++) {
                    out[at + i] = buf.getInt(i * 4);
                }
            });
            case U8 -> forEachChunk(t, (buf, at) -> {
                for (int i = 0, n = buf.remaining(); i < n; i++) {
                    out[at + i] = buf.get(i) & 0xff;
                }
            });
            default -> throw new IllegalArgumentException(where(t) + "is " + t.dtype() + "; longs() reads I64, I32 or U8");
        }
        return out;
    }

    /**
     * I32 or U8 as int, or I64 when every value fits an int (index tensors are stored as I64, after
     * PyTorch); an I64 value outside the int range throws, naming its index.
     */
    public int[] ints(String name) {
        TensorInfo t = info(name);
        int[] out = new int[arrayLength(t)]; // (numel)
        switch (t.dtype()) {
            case I32 -> forEachChunk(t, (buf, at) -> buf.asIntBuffer().get(out, at, buf.remaining() / 4));
            case U8 -> forEachChunk(t, (buf, at) -> {
                for (int i = 0, n = buf.remaining(); i < n; i++) {
                    out[at + i] = buf.get(i) & 0xff;
                }
            });
            case I64 -> forEachChunk(t, (buf, at) -> {
                for (int i = 0, n = buf.remaining() / 8; i < n; i++) {
                    long v = buf.getLong(i * 8);
                    if (v != (int) v) {
                        throw new IllegalArgumentException(where(t) + "element " + (at + i) + " = " + v
                                + " does not fit an int; use longs()");
                    }
                    out[at + i] = (int) v;
                }
            });
            default -> throw new IllegalArgumentException(where(t) + "is " + t.dtype() + "; ints() reads I32, U8 or I64");
        }
        return out;
    }

    /** BOOL as boolean; a byte other than 0 or 1 is corrupt and throws, naming its index. */
    public boolean[] booleans(String name) {
        TensorInfo t = info(name);
        if (t.dtype() != StDType.BOOL) {
            throw new IllegalArgumentException(where(t) + "is " + t.dtype() + "; booleans() reads BOOL");
        }
        boolean[] out = new boolean[arrayLength(t)]; // (numel)
        forEachChunk(t, (buf, at) -> {
            for (int i = 0, n = buf.remaining(); i < n; i++) {
                byte b = buf.get(i);
                if (b != 0 && b != 1) {
                    throw new IllegalArgumentException(where(t) + "BOOL element " + (at + i) + " is byte " + (b & 0xff)
                            + ", not 0 or 1: corrupt file");
                }
                out[at + i] = b == 1;
            }
        });
        return out;
    }

    private float[] readFloats(TensorInfo t) {
        float[] out = new float[arrayLength(t)]; // (numel)
        switch (t.dtype()) {
            case F32 -> forEachChunk(t, (buf, at) -> buf.asFloatBuffer().get(out, at, buf.remaining() / 4));
            case F16 -> forEachChunk(t, (buf, at) -> {
                for (int i = 0, n = buf.remaining() / 2; i < n; i++) {
                    out[at + i] = HalfFloats.f16ToFloat(buf.getShort(i * 2));
                }
            });
            case BF16 -> forEachChunk(t, (buf, at) -> {
                for (int i = 0, n = buf.remaining() / 2; i < n; i++) {
                    out[at + i] = HalfFloats.bf16ToFloat(buf.getShort(i * 2));
                }
            });
            default -> throw new IllegalArgumentException(where(t) + "is " + t.dtype() + ", not a floating dtype; use longs(), "
                    + "ints() or booleans()");
        }
        return out;
    }

    private double[] readDoubles(TensorInfo t) {
        if (t.dtype() == StDType.F64) {
            double[] out = new double[arrayLength(t)]; // (numel)
            forEachChunk(t, (buf, at) -> buf.asDoubleBuffer().get(out, at, buf.remaining() / 8));
            return out;
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(where(t) + "is " + t.dtype() + ", not a floating dtype; use longs(), ints() or booleans()");
        }
        float[] f = readFloats(t); // (numel)
        double[] out = new double[f.length]; // (numel)
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    private interface ChunkReader {
        /** {@code buf}: little-endian bytes, position 0, of whole elements starting at element index {@code at}. */
        void read(ByteBuffer buf, int at);
    }

    private void forEachChunk(TensorInfo t, ChunkReader reader) {
        if (closed) {
            throw new IllegalStateException("safetensors " + path + ": read of '" + t.name() + "' after close()");
        }
        int item = t.dtype().itemSize();
        if (wholeData != null) {
            // dataLength < 2 GiB here, so the int casts are exact.
            reader.read(wholeData.slice((int) t.begin(), (int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN), 0);
            return;
        }
        long step = (chunkBytes / item) * (long) item; // whole elements per mapping
        try {
            for (long off = 0; off < t.byteSize(); off += step) {
                long n = Math.min(step, t.byteSize() - off);
                ByteBuffer buf = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin() + off, n)
                        .order(ByteOrder.LITTLE_ENDIAN);
                reader.read(buf, (int) (off / item));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("safetensors " + path + ": cannot map tensor '" + t.name() + "'", e);
        }
    }

    private int arrayLength(TensorInfo t) {
        if (t.numel() > MAX_ARRAY_ELEMENTS) {
            throw new IllegalArgumentException(where(t) + t.dtype() + " " + t.shapeString() + " has " + t.numel()
                    + " elements, more than a Java array holds");
        }
        return (int) t.numel();
    }

    private String where(TensorInfo t) {
        return "safetensors " + path + ": tensor '" + t.name() + "' ";
    }

    /** ": closest are 'a', 'b'" for the up-to-5 names nearest in edit distance, or "" for an empty file. */
    private String closeNames(String name) {
        if (infos.isEmpty()) {
            return "";
        }
        List<String> names = new ArrayList<>(infos.keySet());
        Map<String, Integer> distance = new LinkedHashMap<>();
        for (String n : names) {
            distance.put(n, editDistance(name, n));
        }
        names.sort(Comparator.comparingInt((String n) -> distance.get(n)).thenComparing(Comparator.naturalOrder()));
        StringBuilder sb = new StringBuilder("; closest: ");
        for (int i = 0; i < Math.min(5, names.size()); i++) {
            sb.append(i > 0 ? ", " : "").append('\'').append(names.get(i)).append('\'');
        }
        return sb.toString();
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1]; // (|b|+1) distances from a[0..i) to b[0..j)
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.length()];
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path path) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                throw formatError(path, "unexpected end of file at byte " + (position + buf.position()));
            }
        }
    }

    private static SafetensorsFormatException formatError(Path path, String what) {
        return new SafetensorsFormatException("safetensors " + path + ": " + what);
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String s = Json.write(v);
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** Closes the channel. Mapped buffers are released by the GC (Java 17 has no public unmap). */
    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + infos.size() + " tensors, " + dataLength + " data bytes]";
    }
}
