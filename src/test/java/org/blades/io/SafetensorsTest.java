package org.blades.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// N = header length in bytes, numel = elements of a tensor
class SafetensorsTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------
    // Round trips

    @Test
    void roundTripsEveryDtype() throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        float[] f32 = new float[2 * 3 * 4]; // (2, 3, 4)
        double[] f64 = new double[5]; // (5)
        for (int i = 0; i < f32.length; i++) {
            f32[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < f64.length; i++) {
            f64[i] = rng.nextGaussian();
        }
        f32[0] = Float.NaN;
        f32[1] = Float.NEGATIVE_INFINITY;
        f32[2] = -0.0f;
        f32[3] = Float.MIN_VALUE;
        long[] i64 = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 42}; // (2, 3)
        int[] i32 = {Integer.MIN_VALUE, -7, Integer.MAX_VALUE}; // (3)
        boolean[] bool = {true, false, false, true}; // (2, 2)
        byte[] u8 = {0, 1, (byte) 127, (byte) 128, (byte) 255}; // (5)
        byte[] f16 = le16(0x3C00, 0xC100, 0x7BFF, 0x0001, 0x7C00, 0x7E00); // (6): 1, -2.5, 65504, 2^-24, inf, nan
        byte[] bf16 = le16(0x3F80, 0xC020, 0x0001, 0xFF80); // (2, 2): 1, -2.5, 2^-133, -inf

        Path file = dir.resolve("all.safetensors");
        Safetensors.writer()
                .put("f32", f32, 2, 3, 4)
                .put("f64", f64, 5)
                .put("i64", i64, 2, 3)
                .put("i32", i32, 3)
                .put("bool", bool, 2, 2)
                .putRaw("u8", StDType.U8, u8, 5)
                .putRaw("f16", StDType.F16, f16, 6)
                .putRaw("bf16", StDType.BF16, bf16, 2, 2)
                .put("scalar", new double[] {3.5})
                .put("empty", new float[0], 0, 3)
                .metadata("format", "pt")
                .metadata("case.args", "{\"stride\":2}")
                .write(file);

        try (SafetensorsFile st = Safetensors.open(file)) {
            // Data order = name order, so file order is alphabetical here.
            assertThat(st.names()).containsExactly("bf16", "bool", "empty", "f16", "f32", "f64", "i32", "i64", "scalar", "u8");
            assertThat(st.metadata()).containsExactly(Map.entry("case.args", "{\"stride\":2}"), Map.entry("format", "pt"));
            assertThat(st.info("f32").dtype()).isEqualTo(StDType.F32);
            assertThat(st.info("f32").shape()).containsExactly(2, 3, 4);
            assertThat(st.info("scalar").shape()).isEmpty();
            assertThat(st.info("scalar").numel()).isEqualTo(1);
            assertThat(st.info("empty").numel()).isZero();

            assertThat(bits(st.floats("f32"))).containsExactly(bits(f32));
            assertThat(st.doubles("f64")).containsExactly(f64);
            assertThat(st.longs("i64")).containsExactly(i64);
            assertThat(st.longs("i32")).containsExactly(Integer.MIN_VALUE, -7, Integer.MAX_VALUE);
            assertThat(st.ints("i32")).containsExactly(i32);
            assertThat(st.booleans("bool")).containsExactly(bool);
            assertThat(st.longs("u8")).containsExactly(0, 1, 127, 128, 255);
            assertThat(st.ints("u8")).containsExactly(0, 1, 127, 128, 255);
            float[] h = st.floats("f16");
            assertThat(h).startsWith(1.0f, -2.5f, 65504f, Math.scalb(1f, -24), Float.POSITIVE_INFINITY);
            assertThat(h[5]).isNaN();
            assertThat(st.floats("bf16")).containsExactly(1.0f, -2.5f, Math.scalb(1f, -133), Float.NEGATIVE_INFINITY);
            assertThat(st.doubles("f16")[1]).isEqualTo(-2.5);
            assertThat(st.doubles("scalar")).containsExactly(3.5);
            assertThat(st.floats("empty")).isEmpty();
            assertThat(st.contains("f32")).isTrue();
            assertThat(st.contains("F32")).isFalse();
        }
    }

    @Test
    void floatsRefusesF64UnlessNarrowingIsAskedFor() throws IOException {
        Path file = dir.resolve("d.safetensors");
        Safetensors.writer().put("w", new double[] {0.1, 1e300}, 2).write(file);
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertThatThrownBy(() -> st.floats("w"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("tensor 'w' is F64; floats() would round it");
            assertThat(st.floatsNarrowed("w")).containsExactly(0.1f, Float.POSITIVE_INFINITY);
        }
    }

    @Test
    void accessorsRefuseTheWrongKindOfDtype() throws IOException {
        Path file = dir.resolve("k.safetensors");
        Safetensors.writer()
                .put("f", new float[] {1}, 1)
                .put("i", new long[] {1L << 40, 2}, 2)
                .put("b", new boolean[] {true}, 1)
                .write(file);
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertThatThrownBy(() -> st.longs("f")).hasMessageContaining("tensor 'f' is F32; longs() reads I64, I32 or U8");
            assertThatThrownBy(() -> st.floats("i")).hasMessageContaining("tensor 'i' is I64, not a floating dtype");
            assertThatThrownBy(() -> st.doubles("b")).hasMessageContaining("tensor 'b' is BOOL, not a floating dtype");
            assertThatThrownBy(() -> st.booleans("f")).hasMessageContaining("tensor 'f' is F32; booleans() reads BOOL");
            assertThatThrownBy(() -> st.ints("i")).hasMessageContaining("tensor 'i' element 0 = 1099511627776 does not fit an int");
        }
    }

    @Test
    void missingNameListsTheClosestNames() throws IOException {
        Path file = dir.resolve("n.safetensors");
        Safetensors.writer()
                .put("conv1.out", new float[1], 1)
                .put("conv1.gout", new float[1], 1)
                .put("conv2.out", new float[1], 1)
                .put("linear.weight", new float[1], 1)
                .write(file);
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertThatThrownBy(() -> st.floats("conv1.outt"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("safetensors " + file + ": no tensor 'conv1.outt'; closest: 'conv1.out', 'conv1.gout', "
                            + "'conv2.out', 'linear.weight' (the file has 4 tensors)");
        }
    }

    @Test
    void readAfterCloseFails() throws IOException {
        Path file = dir.resolve("c.safetensors");
        Safetensors.writer().put("x", new float[] {1}, 1).write(file);
        SafetensorsFile st = Safetensors.open(file);
        st.close();
        assertThatThrownBy(() -> st.floats("x")).isInstanceOf(IllegalStateException.class).hasMessageContaining("after close()");
    }

    // ---------------------------------------------------------------------------------------------
    // Exact bytes

    /**
     * Tensors b = int64 scalar 5 and w = float32 [1, -2], metadata {"k": "v"}. The 132-byte header is
     * padded to 136 (= 0x88), a multiple of 8; SHA-256 computed independently with Python's hashlib.
     */
    @Test
    void writesTheExactKnownBytes() throws Exception {
        String header = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        assertThat(header).hasSize(132);
        ByteBuffer expected = ByteBuffer.allocate(160);
        expected.put(new byte[] {(byte) 0x88, 0, 0, 0, 0, 0, 0, 0});             // N = 136, u64 little-endian
        expected.put(header.getBytes(StandardCharsets.US_ASCII)).put("    ".getBytes(StandardCharsets.US_ASCII));
        expected.put(new byte[] {5, 0, 0, 0, 0, 0, 0, 0});                          // b: int64 5
        expected.put(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0});  // w: float32 1.0, -2.0

        Path file = dir.resolve("known.safetensors");
        String sha = Safetensors.writer()
                .put("w", new float[] {1.0f, -2.0f}, 2)          // put out of order: output is sorted by name
                .put("b", new long[] {5})
                .metadata("k", "v")
                .write(file);

        assertThat(Files.readAllBytes(file)).containsExactly(expected.array());
        assertThat(sha).isEqualTo("16298a78bf823ea0095a33cb4a612753e23ffc3eb09d0d2a0b7098bf2e3b90f2");
        assertThat(Safetensors.sha256(file)).isEqualTo(sha);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected.array()))).isEqualTo(sha);
    }

    @Test
    void outputIsIndependentOfPutOrder() throws IOException {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        String shaA = Safetensors.writer().put("x", new float[] {1}, 1).put("y", new long[] {2}, 1)
                .metadata("m1", "1").metadata("m2", "2").write(a);
        String shaB = Safetensors.writer().metadata("m2", "2").put("y", new long[] {2}, 1)
                .metadata("m1", "1").put("x", new float[] {1}, 1).write(b);
        assertThat(shaA).isEqualTo(shaB);
    }

    @Test
    void headerIsPaddedSoDataStartsAtAMultipleOf8() throws IOException {
        for (int len = 1; len <= 9; len++) {
            Path file = dir.resolve("p" + len + ".safetensors");
            Safetensors.writer().put("x".repeat(len), new float[] {1}, 1).write(file);
            byte[] bytes = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(n % 8).isZero();
            assertThat(bytes.length).isEqualTo(8 + n + 4);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Large files: the per-read mapping path (used above 2 GiB) exercised with tiny limits

    @Test
    void perReadChunkedMappingGivesTheSameValues() throws IOException {
        float[] f32 = new float[37]; // (37)
        double[] f64 = new double[11]; // (11)
        long[] i64 = new long[9]; // (9)
        for (int i = 0; i < f32.length; i++) {
            f32[i] = i * 0.5f - 3;
        }
        for (int i = 0; i < f64.length; i++) {
            f64[i] = Math.sqrt(i);
        }
        for (int i = 0; i < i64.length; i++) {
            i64[i] = (long) i << 33;
        }
        byte[] f16 = le16(0x3C00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600, 0x4700); // (7): 1..7
        Path file = dir.resolve("big.safetensors");
        Safetensors.writer().put("a", f32, f32.length).put("b", f64, f64.length).put("c", i64, i64.length)
                .putRaw("d", StDType.F16, f16, 7).put("e", new int[] {1, 2, 3}, 3).write(file);
        // Whole-map limit 0 forces a mapping per read; 12-byte chunks split every tensor into several mappings.
        try (SafetensorsFile st = SafetensorsFile.open(file, 0, 12)) {
            assertThat(st.floats("a")).containsExactly(f32);
            assertThat(st.doubles("b")).containsExactly(f64);
            assertThat(st.longs("c")).containsExactly(i64);
            assertThat(st.floats("d")).containsExactly(1, 2, 3, 4, 5, 6, 7);
            assertThat(st.ints("e")).containsExactly(1, 2, 3);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Corrupt files: every error names the file, and the tensor where one is at fault

    /** Builds a file from a header text (unpadded) and raw data bytes. */
    private Path raw(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private void assertCorrupt(Path file, String... fragments) {
        var assertion = assertThatThrownBy(() -> Safetensors.open(file).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith("safetensors " + file + ": ");
        for (String f : fragments) {
            assertion.hasMessageContaining(f);
        }
    }

    @Test
    void validMinimalRawFileOpens() throws IOException {
        Path p = raw("ok.safetensors", "{" + entry("x", "F32", "[2]", 0, 8) + "}", new byte[8]);
        try (SafetensorsFile st = Safetensors.open(p)) {
            assertThat(st.floats("x")).containsExactly(0f, 0f);
            assertThat(st.metadata()).isEmpty();
        }
    }

    @Test
    void tooShortForTheLengthPrefix() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertCorrupt(p, "file is 3 bytes, too short for the 8-byte header length");
    }

    @Test
    void truncatedData() throws IOException {
        Path good = dir.resolve("t.safetensors");
        Safetensors.writer().put("a", new float[4], 4).put("weights", new float[4], 4).write(good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertCorrupt(cut, "tensor 'weights': data_offsets [16, 32] run past the end of the data section (29 bytes): truncated file?");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path good = dir.resolve("t.safetensors");
        Safetensors.writer().put("a", new float[1], 1).write(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(good), 20));
        assertCorrupt(cut, "header length 56 exceeds the 12 bytes that follow it (file size 20)");
    }

    @Test
    void headerLengthLargerThanTheFileOrAbsurd() throws IOException {
        Path p = dir.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        Files.write(p, b.array());
        assertCorrupt(p, "header length 18446744073709551615 exceeds the 8 bytes that follow it");
    }

    @Test
    void headerAboveTheSizeLimit() throws IOException {
        Path p = dir.resolve("limit.safetensors");
        long n = SafetensorsFile.MAX_HEADER_BYTES + 8;
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n));
            ch.write(ByteBuffer.wrap(new byte[] {'{'}), 8 + n - 1); // sparse: no 100 MB written
        }
        assertCorrupt(p, "header length 100000008 is above the 100000000-byte limit");
    }

    @Test
    void malformedHeaderJson() throws IOException {
        Path p = raw("json.safetensors", "{\"x\":{\"dtype\":\"F32\",}}", new byte[0]);
        assertCorrupt(p, "malformed header: JSON header of " + p + ": expected a string key, found '}' at offset 20");
    }

    @Test
    void headerMustBeAnObjectStartingWithBrace() throws IOException {
        assertCorrupt(raw("arr.safetensors", "[]", new byte[0]), "header does not start with '{' (byte 0x5b)");
        assertCorrupt(raw("sp.safetensors", " {}", new byte[0]), "header does not start with '{'");
    }

    @Test
    void headerMustBeUtf8() throws IOException {
        byte[] h = {'{', '"', (byte) 0xC3, '"', ':', '1', '}'};
        ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h);
        Path p = dir.resolve("utf.safetensors");
        Files.write(p, b.array());
        assertCorrupt(p, "header is not valid UTF-8");
    }

    @Test
    void unsupportedDtype() throws IOException {
        assertCorrupt(raw("dt.safetensors", "{" + entry("emb", "I8", "[2]", 0, 2) + "}", new byte[2]),
                "tensor 'emb': unsupported dtype \"I8\" (supported: [F64, F32, F16, BF16, I64, I32, U8, BOOL])");
        assertCorrupt(raw("dt2.safetensors", "{\"emb\":{\"dtype\":32,\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'emb': dtype must be a string, found 32");
    }

    @Test
    void shapeAndSizeMismatch() throws IOException {
        assertCorrupt(raw("sz.safetensors", "{" + entry("w", "F32", "[2, 3]", 0, 20) + "}", new byte[20]),
                "tensor 'w': data_offsets [0, 20] span 20 bytes but F32 (2, 3) needs 6 * 4 = 24");
        assertCorrupt(raw("neg.safetensors", "{" + entry("w", "F32", "[-1]", 0, 0) + "}", new byte[0]),
                "tensor 'w': shape [-1]: dimension 0 must be an integer in [0, 2147483647], found -1");
        assertCorrupt(raw("frac.safetensors", "{" + entry("w", "F32", "[1.0]", 0, 4) + "}", new byte[4]),
                "tensor 'w': shape [1.0]: dimension 0 must be an integer");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String h = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        assertCorrupt(raw("ov.safetensors", h, new byte[12]),
                "tensor 'b' bytes [4, 12) overlap tensor 'a' bytes [0, 8)");
    }

    @Test
    void gapsAndTrailingBytes() throws IOException {
        String gap = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}";
        assertCorrupt(raw("gap.safetensors", gap, new byte[12]), "gap of 4 unused bytes before tensor 'b'");
        String tail = "{" + entry("a", "F32", "[1]", 0, 4) + "}";
        assertCorrupt(raw("tail.safetensors", tail, new byte[6]), "data section is 6 bytes but the tensors cover only 4");
    }

    @Test
    void badOffsetsAndFields() throws IOException {
        assertCorrupt(raw("rev.safetensors", "{" + entry("a", "F32", "[0]", 4, 0) + "}", new byte[4]),
                "tensor 'a': data_offsets [4, 0] must satisfy 0 <= begin <= end");
        assertCorrupt(raw("off.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
                "tensor 'a': data_offsets must be [begin, end] integers, found [0]");
        assertCorrupt(raw("extra.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", new byte[4]),
                "tensor 'a': unknown field 'x'");
        assertCorrupt(raw("meta.safetensors", "{\"__metadata__\":{\"k\":1}}", new byte[0]),
                "__metadata__ entry 'k' must be a string, found 1");
    }

    @Test
    void corruptBoolByteIsReportedOnRead() throws IOException {
        Path p = raw("bool.safetensors", "{" + entry("mask", "BOOL", "[3]", 0, 3) + "}", new byte[] {0, 1, 2});
        try (SafetensorsFile st = Safetensors.open(p)) {
            assertThatThrownBy(() -> st.booleans("mask"))
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("tensor 'mask' BOOL element 2 is byte 2, not 0 or 1");
        }
    }

    @Test
    void missingFileIsAnIoException() {
        Path p = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> Safetensors.open(p)).isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining(p.toString());
    }

    // ---------------------------------------------------------------------------------------------
    // Writer: validation and atomicity

    @Test
    void writerRejectsInconsistentPuts() {
        Safetensors.Writer w = Safetensors.writer().put("x", new float[6], 2, 3);
        assertThatThrownBy(() -> w.put("y", new float[6], 4, 2))
                .hasMessage("safetensors writer: tensor 'y': shape (4, 2) has 8 elements but the data has 6");
        assertThatThrownBy(() -> w.put("x", new float[1], 1)).hasMessage("safetensors writer: tensor 'x' put twice");
        assertThatThrownBy(() -> w.put("__metadata__", new float[1], 1)).hasMessageContaining("invalid tensor name '__metadata__'");
        assertThatThrownBy(() -> w.put("", new float[1], 1)).hasMessageContaining("invalid tensor name ''");
        assertThatThrownBy(() -> w.put("n", new float[0], -1, 0)).hasMessageContaining("negative dimension");
        assertThatThrownBy(() -> w.putRaw("h", StDType.F16, new byte[3], 1)).hasMessageContaining("3 bytes is not a whole number of F16");
        assertThatThrownBy(() -> w.metadata("k", "1").metadata("k", "2")).hasMessageContaining("metadata key 'k' set twice");
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTempFile() throws IOException {
        Path file = dir.resolve("w.safetensors");
        Safetensors.writer().put("x", new float[] {1}, 1).write(file);
        Safetensors.writer().put("x", new float[] {2}, 1).write(file);
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertThat(st.floats("x")).containsExactly(2f);
        }
        assertThat(listDir()).containsExactly("w.safetensors");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    }

    @Test
    void failedWriteKeepsTheOldFileAndRemovesTheTempFile() throws IOException {
        Path file = dir.resolve("keep.safetensors");
        Safetensors.writer().put("x", new float[] {1}, 1).write(file);
        byte[] before = Files.readAllBytes(file);

        Safetensors.Writer w = Safetensors.writer().put("x", new float[] {2, 3}, 2);
        assertThatThrownBy(() -> w.write(file, () -> {
            throw new IOException("disk full (injected)");
        })).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot write " + file.toAbsolutePath())
                .hasMessageContaining("disk full (injected)");

        assertThat(Files.readAllBytes(file)).containsExactly(before);
        assertThat(listDir()).containsExactly("keep.safetensors");
    }

    @Test
    void failedRenameOverADirectoryRemovesTheTempFile() throws IOException {
        Path target = dir.resolve("taken");
        Files.createDirectory(target);
        Files.writeString(target.resolve("inside"), "x");
        assertThatThrownBy(() -> Safetensors.writer().put("x", new float[] {1}, 1).write(target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(target.toString());
        assertThat(listDir()).containsExactly("taken");
        assertThat(Files.readString(target.resolve("inside"))).isEqualTo("x");
    }

    @Test
    void missingDirectoryIsAnErrorNamingTheTarget() {
        Path target = dir.resolve("no/such/dir/x.safetensors");
        assertThatThrownBy(() -> Safetensors.writer().put("x", new float[] {1}, 1).write(target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("safetensors writer: cannot write " + target);
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static byte[] le16(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    private static int[] bits(float[] f) {
        int[] out = new int[f.length]; // (numel)
        for (int i = 0; i < f.length; i++) {
            out[i] = Float.floatToRawIntBits(f[i]);
        }
        return out;
    }
}
