package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.blades.opencl.OpenClUnavailableException.Missing;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device specs, discovery, and the message for each missing piece of the OpenCL stack. The missing pieces are
 * produced for real in child JVMs: a class path without the Aparapi jar, one without aparapi-jni, and an ICD
 * loader pointed at an empty vendor directory (OCL_ICD_VENDORS). A missing libOpenCL.so.1 cannot be staged
 * without uninstalling it, so its classification is tested on the linker's message.
 */
class OpenClDeviceTest {

    @Test
    void malformedSpecsAreRejectedBeforeAnyOpenClCall() {
        for (String spec : new String[] {"cpu", "opencl:", "opencl:x", "gpu:0", "opencl:-1", ""}) {
            assertThatThrownBy(() -> OpenClDevice.open(spec)).as(spec).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected opencl or opencl:N");
        }
    }

    @Test
    void openingTheSameIndexGivesTheSameDeviceAndKernels() {
        OpenClKernels k = OpenClTestSupport.kernels();
        OpenClDevice d = OpenClDevice.open("opencl");
        assertThat(d).isSameAs(OpenClDevice.open("opencl:0")).isSameAs(k.device());
        assertThat(d.kernels()).isSameAs(k);
        assertThat(OpenClDevice.list().get(0)).isEqualTo(d.info());
        assertThat(d.info().describe()).startsWith("opencl:0 ").contains(d.info().name());
    }

    @Test
    void anIndexPastTheLastDeviceListsTheDevices() {
        OpenClTestSupport.kernels();
        int n = OpenClDevice.list().size();
        assertThatThrownBy(() -> OpenClDevice.open("opencl:" + n))
                .isInstanceOfSatisfying(OpenClUnavailableException.class,
                        e -> assertThat(e.missing()).isEqualTo(Missing.DEVICE_INDEX))
                .hasMessageContaining("opencl:" + n + " does not exist: " + n + " device(s) found")
                .hasMessageContaining(OpenClDevice.list().get(0).describe());
    }

    @Test
    void aMissingOpenClLibraryIsToldApartFromABrokenAparapiNative() {
        OpenClUnavailableException lib = AparapiRuntime.classifyLoadError(new UnsatisfiedLinkError(
                "/tmp/libaparapi1234.so: libOpenCL.so.1: cannot open shared object file: No such file or directory"));
        assertThat(lib.missing()).isEqualTo(Missing.OPENCL_LIBRARY);
        assertThat(lib.getMessage()).contains("libOpenCL.so.1 (the OpenCL ICD loader) cannot be loaded")
                .contains("ocl-icd-libopencl1");
        OpenClUnavailableException nat = AparapiRuntime.classifyLoadError(new UnsatisfiedLinkError(
                "/tmp/libaparapi1234.so: /lib/libc.so.6: version `GLIBC_2.38' not found"));
        assertThat(nat.missing()).isEqualTo(Missing.APARAPI_NATIVE);
        assertThat(nat.getMessage()).contains("aparapi-jni").contains("GLIBC_2.38");
    }

    @Test
    void withoutTheAparapiJarTheMessageNamesAparapi() throws Exception {
        String out = probeInChild(dropFromClassPath("aparapi"), Map.of());
        assertThat(out).startsWith("MISSING APARAPI: OpenCL unavailable: Aparapi (com.aparapi:aparapi 3.0.2) is not "
                + "on the class path");
    }

    @Test
    void withoutAparapiJniTheMessageNamesTheNativeLibrary() throws Exception {
        String out = probeInChild(dropFromClassPath("aparapi-jni"), Map.of());
        assertThat(out).startsWith("MISSING APARAPI_NATIVE: OpenCL unavailable: Aparapi's native library "
                + "(com.aparapi:aparapi-jni 1.4.3");
    }

    @Test
    void withoutAnIcdVendorTheMessageNamesTheDriverToInstall(@TempDir Path emptyVendors) throws Exception {
        OpenClTestSupport.kernels(); // needs the ICD loader itself, which a machine with an OpenCL device has
        String out = probeInChild(classPath(), Map.of("OCL_ICD_VENDORS", emptyVendors.toString()));
        assertThat(out).startsWith("MISSING PLATFORM: OpenCL unavailable: libOpenCL.so.1 loaded but found no OpenCL "
                + "platform").contains("OCL_ICD_VENDORS=" + emptyVendors).contains("pocl-opencl-icd");
    }

    @Test
    void theChildSeesTheDevicesWithTheFullClassPath() throws Exception {
        OpenClTestSupport.kernels();
        assertThat(probeInChild(classPath(), Map.of())).isEqualTo("OK " + OpenClDevice.list().size());
    }

    /** The test class path: surefire passes it in surefire.test.class.path (java.class.path is its booter jar). */
    private static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.asList(cp.split(File.pathSeparator));
    }

    private static List<String> dropFromClassPath(String artifact) {
        List<String> kept = classPath().stream().filter(e -> !new File(e).getName().startsWith(artifact + "-"))
                .collect(Collectors.toList());
        Assumptions.assumeTrue(kept.size() < classPath().size(), "the class path has no " + artifact + " jar");
        return kept;
    }

    /** Runs OpenClProbeMain in a child JVM; returns its one line of output. */
    private static String probeInChild(List<String> cp, Map<String, String> env) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, cp), OpenClProbeMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().putAll(env);
        Path stderr = Files.createTempFile("opencl-probe", ".err");
        pb.redirectError(stderr.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int rc = p.waitFor();
        String err = Files.readString(stderr);
        Files.delete(stderr);
        assertThat(rc).as("child exit code; stderr: %s", err).isZero();
        return out;
    }
}
