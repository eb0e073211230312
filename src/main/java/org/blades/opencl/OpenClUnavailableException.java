package org.blades.opencl;

/**
 * No usable OpenCL device: thrown by {@link OpenClDevice#open} and {@link OpenClDevice#list} with a message that
 * names the missing piece and how to supply it. {@link #missing()} says which piece, for callers (and tests) that
 * branch on it.
 */
public final class OpenClUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The first piece of the OpenCL stack that is missing, from the Java side down to the hardware. */
    public enum Missing {
        /** The Aparapi jar (com.aparapi:aparapi) is not on the class path. */
        APARAPI,
        /** Aparapi's native library (com.aparapi:aparapi-jni) is absent or does not load on this OS/architecture. */
        APARAPI_NATIVE,
        /** libOpenCL.so.1, the ICD loader (Debian: ocl-icd-libopencl1), cannot be loaded. */
        OPENCL_LIBRARY,
        /** The ICD loader found no platform: no vendor driver is registered (Debian: pocl-opencl-icd for CPUs). */
        PLATFORM,
        /** Platforms exist but report no CPU, GPU or accelerator device. */
        DEVICE,
        /** A device index past the last device was requested. */
        DEVICE_INDEX
    }

    private final Missing missing;

    OpenClUnavailableException(Missing missing, String message, Throwable cause) {
        super(message, cause);
        this.missing = missing;
    }

    public Missing missing() {
        return missing;
    }
}
