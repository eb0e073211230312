package org.blades.opencl;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.blades.opencl.OpenClUnavailableException.Missing;

/**
 * One OpenCL device, opened by a device spec ({@code opencl} = {@code opencl:0}, {@code opencl:N}), with its
 * compiled kernels ({@link #kernels()}) and its buffers ({@link #allocate}, {@link #upload}).
 *
 * <p>Device N is the N-th of {@link #list()}: platforms in the order the ICD loader reports them, devices in
 * platform order. Opening the same N twice gives the same object, so the program is compiled once per JVM (and,
 * through the drivers' own caches, once per machine: see {@link ProgramCache}).
 *
 * <p>Nothing here needs OpenCL until a method is called: the CPU backend never touches this class, and when the
 * OpenCL stack is incomplete every entry point throws {@link OpenClUnavailableException} naming the missing piece.
 */
public final class OpenClDevice {

    private static final Pattern SPEC = Pattern.compile("opencl(?::(\\d{1,4}))?");
    private static final ConcurrentHashMap<Integer, OpenClDevice> OPEN = new ConcurrentHashMap<>();

    private final OpenClDeviceInfo info;
    /** The com.aparapi.device.OpenCLDevice, typed Object so this class loads without Aparapi (see AparapiRuntime). */
    private final Object aparapiDevice;
    private OpenClKernels kernels;

    private OpenClDevice(OpenClDeviceInfo info, Object aparapiDevice) {
        this.info = info;
        this.aparapiDevice = aparapiDevice;
    }

    /** Every OpenCL device of this machine; throws when the OpenCL stack is incomplete (never an empty list). */
    public static List<OpenClDeviceInfo> list() {
        AparapiRuntime.Probe p = probe();
        if (p.failure() != null) {
            throw p.failure();
        }
        return p.infos();
    }

    /** Why no OpenCL device can be opened, or empty when {@code opencl:0} exists. */
    public static Optional<String> unavailableReason() {
        AparapiRuntime.Probe p = probe();
        return p.failure() == null ? Optional.empty() : Optional.of(p.failure().getMessage());
    }

    /**
     * Opens {@code opencl} (device 0) or {@code opencl:N}.
     *
     * @throws IllegalArgumentException      for a spec of another form (including {@code cpu}, which is not OpenCL)
     * @throws OpenClUnavailableException    when OpenCL is missing or has no device N; the message names what
     */
    public static OpenClDevice open(String spec) {
        Matcher m = SPEC.matcher(spec == null ? "" : spec.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("OpenCL device spec '" + spec + "': expected opencl or opencl:N "
                    + "(N = the device index, 0 first)");
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        List<OpenClDeviceInfo> infos = list();
        if (index >= infos.size()) {
            StringBuilder all = new StringBuilder();
            for (OpenClDeviceInfo i : infos) {
                all.append("\n  ").append(i.describe());
            }
            throw new OpenClUnavailableException(Missing.DEVICE_INDEX, "OpenCL device " + spec + " does not exist: "
                    + infos.size() + " device(s) found:" + all, null);
        }
        return OPEN.computeIfAbsent(index, i -> new OpenClDevice(infos.get(i), probe().devices().get(i)));
    }

    private static AparapiRuntime.Probe probe() {
        try {
            return AparapiRuntime.probe();
        } catch (NoClassDefFoundError e) {
            throw new OpenClUnavailableException(Missing.APARAPI, "OpenCL unavailable: Aparapi "
                    + "(com.aparapi:aparapi 3.0.2) is not on the class path [" + e.getMessage() + "]", e);
        }
    }

    public OpenClDeviceInfo info() {
        return info;
    }

    Object aparapiDevice() {
        return aparapiDevice;
    }

    /** The kernels of this device, compiled on first use (or taken from the {@link ProgramCache}). */
    public synchronized OpenClKernels kernels() {
        if (kernels == null) {
            kernels = new OpenClKernels(this, ProgramCache.shared());
        }
        return kernels;
    }

    /** A zeroed buffer of n floats on this device. */
    public DeviceBuffer allocate(int n) {
        return new DeviceBuffer(this, n);
    }

    /** A buffer holding a copy of host. */
    public DeviceBuffer upload(float[] host) {
        DeviceBuffer b = new DeviceBuffer(this, host.length);
        b.upload(host, 0, 0, host.length);
        return b;
    }

    @Override
    public String toString() {
        return info.describe();
    }
}
