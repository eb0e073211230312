package org.blades.kernels;

/**
 * Decides once, at class initialisation, whether the incubating Vector API may be used.
 *
 * <p>Classes that reference {@code jdk.incubator.vector} (for example {@link SgemmVector}) must be
 * touched only behind {@code if (VectorSupport.ENABLED)}: this class itself never names a vector
 * type, so a plain {@code java -jar} without {@code --add-modules jdk.incubator.vector} loads it
 * and falls back to the scalar kernels instead of failing with NoClassDefFoundError.
 */
public final class VectorSupport {

    /** Name of the system property that can switch the Vector API off ({@code -Dblades.vector=false}). */
    public static final String PROPERTY = "blades.vector";

    private static final String MODULE = "jdk.incubator.vector";

    private static final String REASON_DISABLED = reasonDisabled();

    /** True when the Vector API module is in the boot layer and {@code -Dblades.vector=false} is not set. */
    public static final boolean ENABLED = REASON_DISABLED == null;

    private VectorSupport() {}

    /** Null when the Vector API is usable, else why not. */
    private static String reasonDisabled() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return "disabled by -D" + PROPERTY + "=false";
        }
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return "module " + MODULE + " not in the boot layer (run with --add-modules " + MODULE + ")";
        }
        return null;
    }

    /** One line for logs and benchmark headers, e.g. "Vector API, 16 float lanes" or "scalar (reason)". */
    public static String describe() {
        if (!ENABLED) {
            return "scalar (" + REASON_DISABLED + ")";
        }
        return "Vector API, " + SgemmVector.floatLanes() + " float lanes";
    }
}
