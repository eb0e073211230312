package org.blades.opencl;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled OpenCL programs, keyed by device name + platform version (which carries the driver release) + SHA-256
 * of the source, so a driver update or an edited kernel gets a fresh build.
 *
 * <p>What is cached where, and why not more:
 * <ul>
 *   <li>In this JVM: the built program with its kernels. Every {@link OpenClKernels} of a device shares it, so a
 *       process compiles each program once.</li>
 *   <li>On disk, {@code ~/.cache/blades/opencl/KEY.properties} (or {@code -Dblades.opencl.cache=DIR}): the record
 *       that this machine has built KEY, with the first build's time and the number of builds. It cannot hold the
 *       binary: Aparapi 3.0.2 exposes neither clGetProgramInfo(CL_PROGRAM_BINARIES) nor
 *       clCreateProgramWithBinary (its native createProgram has an in-process binary map keyed by a string that its
 *       Java side always passes as null).</li>
 *   <li>The compiled binaries themselves are cached by the drivers, across processes, keyed by source and build
 *       options: PoCL in {@code ~/.cache/pocl/kcache} (POCL_CACHE_DIR), NVIDIA in {@code ~/.nv/ComputeCache}. On
 *       this project's PoCL machine the program builds in about 2 s the first time and 0.03 s in later processes.
 *       The disk record tells the two situations apart ({@link Entry#builtBefore()}), e.g. for the benchmark's
 *       report.</li>
 * </ul>
 */
final class ProgramCache {

    private static ProgramCache shared;

    private final Path dir;
    private final Map<String, Entry> programs = new ConcurrentHashMap<>();
    private int builds;
    private int memoryHits;

    /**
     * One cached program.
     *
     * @param program     the built program and its kernels
     * @param key         the cache key (hex SHA-256 of device name, platform version and source)
     * @param buildMillis how long this process's build took
     * @param builtBefore whether the disk record existed before this process built it: the driver's own cache
     *                    then most likely served the build
     */
    record Entry(AparapiProgram program, String key, double buildMillis, boolean builtBefore) {
    }

    ProgramCache(Path dir) {
        this.dir = dir;
    }

    /** The process-wide cache, in -Dblades.opencl.cache or ~/.cache/blades/opencl. */
    static synchronized ProgramCache shared() {
        if (shared == null) {
            String configured = System.getProperty("blades.opencl.cache");
            shared = new ProgramCache(configured != null ? Path.of(configured)
                    : Path.of(System.getProperty("user.home"), ".cache", "blades", "opencl"));
        }
        return shared;
    }

    /** The program for source on device: from this JVM's map, else built (and recorded on disk). */
    synchronized Entry get(OpenClDevice device, String source) {
        OpenClDeviceInfo info = device.info();
        String key = key(info, source);
        Entry e = programs.get(key);
        if (e != null) {
            memoryHits++;
            return e;
        }
        Path record = dir.resolve(key + ".properties");
        boolean builtBefore = Files.isRegularFile(record);
        long t0 = System.nanoTime();
        AparapiProgram program = AparapiProgram.build(device.aparapiDevice(), source, info.describe());
        double millis = (System.nanoTime() - t0) / 1e6;
        builds++;
        writeRecord(record, info, key, millis);
        e = new Entry(program, key, millis, builtBefore);
        programs.put(key, e);
        return e;
    }

    /** Programs built by this cache (not taken from its map). */
    synchronized int builds() {
        return builds;
    }

    /** Lookups answered from this cache's map. */
    synchronized int memoryHits() {
        return memoryHits;
    }

    Path directory() {
        return dir;
    }

    static String key(OpenClDeviceInfo info, String source) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((info.name() + '\n' + info.platformName() + '\n' + info.platformVersion() + '\n')
                    .getBytes(StandardCharsets.UTF_8));
            sha.update(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Writes (atomically) or updates the record. A cache directory that cannot be written only costs the record,
     * so failures are reported on stderr and otherwise ignored.
     */
    private static void writeRecord(Path record, OpenClDeviceInfo info, String key, double millis) {
        try {
            Files.createDirectories(record.getParent());
            Properties p = new Properties();
            if (Files.isRegularFile(record)) {
                try (Reader r = Files.newBufferedReader(record, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
            } else {
                p.setProperty("firstBuildMillis", String.format(java.util.Locale.ROOT, "%.1f", millis));
                p.setProperty("firstBuiltAt", Instant.now().toString());
            }
            p.setProperty("device", info.name());
            p.setProperty("platform", info.platformName());
            p.setProperty("platformVersion", info.platformVersion());
            p.setProperty("key", key);
            p.setProperty("builds", Integer.toString(Integer.parseInt(p.getProperty("builds", "0")) + 1));
            p.setProperty("lastBuildMillis", String.format(java.util.Locale.ROOT, "%.1f", millis));
            Path tmp = Files.createTempFile(record.getParent(), key, ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "BLADES-J OpenCL program built on this machine (binary cached by the driver)");
            }
            Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            System.err.println("blades: could not write the OpenCL program cache record " + record + ": " + e);
        }
    }
}
