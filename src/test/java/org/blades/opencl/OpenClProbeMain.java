package org.blades.opencl;

/**
 * Run in a child JVM by {@link OpenClDeviceTest} with a trimmed class path or environment: prints what
 * {@link OpenClDevice#list()} sees, {@code OK <devices>} or {@code MISSING <kind>: <message>}.
 */
public final class OpenClProbeMain {

    private OpenClProbeMain() {
    }

    public static void main(String[] args) {
        try {
            System.out.println("OK " + OpenClDevice.list().size());
        } catch (OpenClUnavailableException e) {
            System.out.println("MISSING " + e.missing() + ": " + e.getMessage());
        }
    }
}
