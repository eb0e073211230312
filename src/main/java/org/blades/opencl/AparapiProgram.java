package org.blades.opencl;

import com.aparapi.ProfileInfo;
import com.aparapi.Range;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLKernel;
import com.aparapi.internal.opencl.OpenCLProgram;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One compiled OpenCL program on one device and its kernels, driven through Aparapi's OpenCL binding: the same
 * calls {@code OpenCLDevice.bind(Class, String)} makes (program from source, an OpenCLKernel per method of
 * {@link KernelSignatures} with argument descriptors from its annotations, {@code OpenCLKernel.invoke}), without
 * bind's proxy, because the proxy reuses each kernel object for every call and that is unsafe:
 *
 * <p>Aparapi keeps one cl_mem per kernel argument and pins the Java array (GetPrimitiveArrayCritical) for each
 * call. When a later call passes an array at another address (another array, or the same one after the garbage
 * collector moved it), its native putArg pins the array twice but unpins it once (aparapi-native OpenCLJNI.cpp),
 * so the JVM's GC locker never clears and the next collection blocks forever; and an array that lands on the old
 * address reuses the old cl_mem with the old length. So every launch here creates a fresh OpenCLKernel (clCreateKernel,
 * microseconds) and disposes it afterwards, which also releases its cl_mems. The program, the expensive part,
 * is built once.
 *
 * <p>Every call is synchronous (Aparapi waits for the kernel and the read-backs), so calls are serialised per
 * program. Aparapi reports launch errors only on stderr, so {@link #launch} checks the arguments' Java types (a
 * wrong one would crash the JVM in JNI) and the range's shape, and the callers check sizes.
 */
final class AparapiProgram {

    private final OpenCLDevice device;
    private final OpenCLProgram program;
    private final Map<String, Method> signatures = new HashMap<>();
    /** The kernels created by build() to validate the program, each used once by its first launch. */
    private final Map<String, OpenCLKernel> unused = new HashMap<>();
    private boolean profiling;
    private long kernelNanos;

    private AparapiProgram(OpenCLDevice device, OpenCLProgram program) {
        this.device = device;
        this.program = program;
    }

    /**
     * Compiles source for the device and creates every kernel of {@link KernelSignatures}, so a kernel missing
     * from the source or a build error surfaces here and not at the first call.
     */
    static AparapiProgram build(Object aparapiDevice, String source, String deviceName) {
        OpenCLDevice device = (OpenCLDevice) aparapiDevice;
        OpenCLProgram program = new OpenCLProgram(device, source).createProgram(device);
        AparapiProgram p = new AparapiProgram(device, program);
        for (Method m : KernelSignatures.class.getDeclaredMethods()) {
            p.signatures.put(m.getName(), m);
            OpenCLKernel k = OpenCLKernel.createKernel(program, m.getName(), device.getArgs(m));
            if (k == null) {
                throw new IllegalStateException("OpenCL program for " + deviceName + ": kernel '" + m.getName()
                        + "' could not be created; when the build failed, the driver's build log is on stderr");
            }
            p.unused.put(m.getName(), k);
        }
        return p;
    }

    /**
     * Runs one kernel over a 1-D, 2-D or 3-D range with its arguments in the order of its {@link KernelSignatures}
     * method (without the Range). Global sizes must be positive multiples of the local sizes (checked here; the
     * local sizes themselves are the caller's, within the device's work-group limit).
     */
    synchronized void launch(String name, int[] global, int[] local, Object... args) {
        Method m = signatures.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no OpenCL kernel '" + name + "' in KernelSignatures");
        }
        Class<?>[] types = m.getParameterTypes();
        if (types.length != args.length + 1) {
            throw new IllegalArgumentException("kernel " + name + " takes " + (types.length - 1) + " arguments, got "
                    + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            Class<?> t = types[i + 1];
            Object a = args[i];
            boolean ok = t == int.class ? a instanceof Integer
                    : t == float.class ? a instanceof Float
                    : t == float[].class ? a instanceof float[]
                    : t == int[].class && a instanceof int[];
            if (!ok) {
                throw new IllegalArgumentException("kernel " + name + " argument " + i + " must be " + t.getSimpleName()
                        + ", got " + (a == null ? "null" : a.getClass().getSimpleName()));
            }
        }
        Object[] all = new Object[args.length + 1];
        all[0] = range(global, local);
        System.arraycopy(args, 0, all, 1, args.length);
        OpenCLKernel kernel = unused.remove(name);
        if (kernel == null) {
            kernel = OpenCLKernel.createKernel(program, name, device.getArgs(m));
        }
        try {
            kernel.invoke(all);
            if (profiling) {
                kernelNanos += executionNanos(args);
            }
        } finally {
            kernel.dispose();
        }
    }

    /** Sums the kernels' execution times from now on (or stops); see {@link #kernelNanos()}. */
    synchronized void profile(boolean on) {
        profiling = on;
        kernelNanos = 0;
    }

    /** Nanoseconds the device spent executing kernels since {@link #profile} switched summing on. */
    synchronized long kernelNanos() {
        return kernelNanos;
    }

    /**
     * The last launch's kernel time, from its OpenCL events (the queue is created with profiling enabled): one
     * write per array argument (every array here is read by its kernel), then the execution, then the read-backs.
     * Aparapi's own labels for these events are off by one, so the execution is found by position.
     */
    private long executionNanos(Object[] args) {
        int writes = 0;
        for (Object a : args) {
            if (a instanceof float[] || a instanceof int[]) {
                writes++;
            }
        }
        List<ProfileInfo> events = program.getProfileInfo();
        if (events.size() <= writes) {
            return 0;
        }
        ProfileInfo execution = events.get(writes);
        return execution.getEnd() - execution.getStart();
    }

    private Range range(int[] global, int[] local) {
        if (global.length != local.length || global.length < 1 || global.length > 3) {
            throw new IllegalArgumentException("OpenCL range: global " + Arrays.toString(global)
                    + " and local " + Arrays.toString(local) + " must both have 1 to 3 dimensions");
        }
        for (int d = 0; d < global.length; d++) {
            if (global[d] <= 0 || local[d] <= 0 || global[d] % local[d] != 0) {
                throw new IllegalArgumentException("OpenCL range: global " + Arrays.toString(global)
                        + " is not a positive multiple of local " + Arrays.toString(local));
            }
        }
        return switch (global.length) {
            case 1 -> Range.create(device, global[0], local[0]);
            case 2 -> Range.create2D(device, global[0], global[1], local[0], local[1]);
            default -> Range.create3D(device, global[0], global[1], global[2], local[0], local[1], local[2]);
        };
    }
}
