package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program cache: the second lookup in a process takes the built program from memory (no build), and a
 * fresh cache on the same directory (a new process) finds this machine's record of the key, so it knows the
 * driver's own binary cache will serve the build (see ProgramCache for why Aparapi cannot store the binary).
 */
class ProgramCacheTest {

    @Test
    void theSecondLookupIsAHitInMemoryAndOnDisk(@TempDir Path dir) throws Exception {
        OpenClDevice device = OpenClTestSupport.kernels().device();
        String source = KernelSources.program();

        ProgramCache first = new ProgramCache(dir);
        ProgramCache.Entry built = first.get(device, source);
        assertThat(built.builtBefore()).isFalse();
        assertThat(first.builds()).isEqualTo(1);
        ProgramCache.Entry again = first.get(device, source);
        assertThat(again).isSameAs(built);
        assertThat(first.builds()).isEqualTo(1);
        assertThat(first.memoryHits()).isEqualTo(1);

        Path record = dir.resolve(built.key() + ".properties");
        assertThat(record).exists();
        assertThat(Files.readString(record)).contains("device=" + device.info().name()).contains("builds=1");

        ProgramCache nextProcess = new ProgramCache(dir);
        ProgramCache.Entry rebuilt = nextProcess.get(device, source);
        assertThat(rebuilt.builtBefore()).isTrue();
        assertThat(rebuilt.key()).isEqualTo(built.key());
        assertThat(Files.readString(record)).contains("builds=2");
    }

    @Test
    void theKeyChangesWithTheSourceAndTheDriver() {
        OpenClDeviceInfo info = new OpenClDeviceInfo(0, "dev", "GPU", "Platform", "OpenCL 3.0 Driver 1.0", 1, 1, 1, 1);
        OpenClDeviceInfo newer = new OpenClDeviceInfo(0, "dev", "GPU", "Platform", "OpenCL 3.0 Driver 1.1", 1, 1, 1, 1);
        assertThat(ProgramCache.key(info, "a")).isEqualTo(ProgramCache.key(info, "a"))
                .isNotEqualTo(ProgramCache.key(info, "b")).isNotEqualTo(ProgramCache.key(newer, "a"));
    }
}
