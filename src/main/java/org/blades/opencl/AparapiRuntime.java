package org.blades.opencl;

import com.aparapi.Config;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLLoader;
import com.aparapi.internal.opencl.OpenCLPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.blades.opencl.OpenClUnavailableException.Missing;

/**
 * The one place that asks Aparapi which OpenCL devices exist. Only this class, {@link AparapiProgram} and
 * {@link KernelSignatures} name Aparapi types, so {@link OpenClDevice} still loads (and can say that Aparapi is
 * missing) when the Aparapi jar is not on the class path.
 */
final class AparapiRuntime {

    /** Held so the level set below survives: java.util.logging keeps loggers only weakly. */
    private static Logger aparapiLogger;

    /** The devices, or why there are none; computed once per JVM (the ICD loader does not rescan either). */
    record Probe(List<OpenCLDevice> devices, List<OpenClDeviceInfo> infos, OpenClUnavailableException failure) {
    }

    private static Probe probe;

    private AparapiRuntime() {
    }

    static synchronized Probe probe() {
        if (probe == null) {
            probe = scan();
        }
        return probe;
    }

    private static Probe scan() {
        // Aparapi logs "JNI loaded successfully" at INFO on every start; our own messages say what matters. (Its
        // native library also prints "running on an untested OpenCL platform version" to stderr for every OpenCL
        // 3.0 platform, PoCL 3 and CUDA 12 included; that line cannot be silenced from Java.)
        aparapiLogger = Logger.getLogger(Config.getLoggerName());
        aparapiLogger.setLevel(Level.SEVERE);
        boolean loaded;
        try {
            loaded = OpenCLLoader.isOpenCLAvailable();
        } catch (LinkageError e) {
            return failed(classifyLoadError(e));
        }
        if (!loaded) {
            return failed(new OpenClUnavailableException(Missing.APARAPI_NATIVE,
                    "OpenCL unavailable: Aparapi's native library (com.aparapi:aparapi-jni 1.4.3, linux/libaparapi_"
                            + System.getProperty("os.arch") + ".so inside the jar) was not found on the class path "
                            + "or has no build for " + System.getProperty("os.name") + "/"
                            + System.getProperty("os.arch"), null));
        }
        List<OpenCLPlatform> platforms = new OpenCLPlatform().getOpenCLPlatforms();
        if (platforms.isEmpty()) {
            String vendors = System.getenv("OCL_ICD_VENDORS");
            return failed(new OpenClUnavailableException(Missing.PLATFORM,
                    "OpenCL unavailable: libOpenCL.so.1 loaded but found no OpenCL platform, i.e. no vendor driver "
                            + "is registered in " + (vendors != null ? "OCL_ICD_VENDORS=" + vendors
                            : "/etc/OpenCL/vendors/*.icd") + "; install one (Debian/Ubuntu: pocl-opencl-icd for the "
                            + "CPU, or the GPU vendor's OpenCL ICD, e.g. nvidia-opencl-icd)", null));
        }
        List<OpenCLDevice> devices = new ArrayList<>();
        List<OpenClDeviceInfo> infos = new ArrayList<>();
        for (OpenCLPlatform p : platforms) {
            for (OpenCLDevice d : p.getOpenCLDevices()) {
                infos.add(new OpenClDeviceInfo(devices.size(), d.getName().trim(), String.valueOf(d.getType()),
                        p.getName().trim(), p.getVersion().trim(), d.getMaxComputeUnits(), d.getGlobalMemSize(),
                        d.getLocalMemSize(), d.getMaxWorkGroupSize()));
                devices.add(d);
            }
        }
        if (devices.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (OpenCLPlatform p : platforms) {
                names.add(p.getName().trim() + " (" + p.getVersion().trim() + ")");
            }
            return failed(new OpenClUnavailableException(Missing.DEVICE, "OpenCL unavailable: platform(s) "
                    + String.join(", ", names) + " report no CPU, GPU or accelerator device", null));
        }
        return new Probe(List.copyOf(devices), List.copyOf(infos), null);
    }

    private static Probe failed(OpenClUnavailableException e) {
        return new Probe(List.of(), List.of(), e);
    }

    /**
     * Aparapi extracts libaparapi.so from its jar and System.load()s it; the dynamic linker then needs
     * libOpenCL.so.1. Its message names the library that was missing, which tells the two cases apart.
     */
    static OpenClUnavailableException classifyLoadError(Throwable e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                messages.append(t.getMessage()).append(' ');
            }
        }
        String text = messages.toString().trim();
        if (text.contains("com/aparapi/natives") || text.contains("com.aparapi.natives")) {
            return new OpenClUnavailableException(Missing.APARAPI_NATIVE, "OpenCL unavailable: Aparapi's native "
                    + "library (com.aparapi:aparapi-jni 1.4.3, the jar with libaparapi) is not on the class path ["
                    + text + "]", e);
        }
        if (text.contains("libOpenCL")) {
            return new OpenClUnavailableException(Missing.OPENCL_LIBRARY, "OpenCL unavailable: libOpenCL.so.1 (the "
                    + "OpenCL ICD loader) cannot be loaded; install it (Debian/Ubuntu: ocl-icd-libopencl1) or put "
                    + "its directory on LD_LIBRARY_PATH [" + text + "]", e);
        }
        return new OpenClUnavailableException(Missing.APARAPI_NATIVE, "OpenCL unavailable: Aparapi's native library "
                + "(com.aparapi:aparapi-jni) failed to load [" + (text.isEmpty() ? e.toString() : text) + "]", e);
    }
}
