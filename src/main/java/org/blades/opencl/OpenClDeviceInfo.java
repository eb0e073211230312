package org.blades.opencl;

import java.util.Locale;

/**
 * What the OpenCL runtime reports about one device, as Aparapi exposes it.
 *
 * @param index           position in {@link OpenClDevice#list()}: platforms in ICD order, devices in platform order;
 *                        {@code opencl:index} opens it
 * @param name            CL_DEVICE_NAME
 * @param type            CPU, GPU or ACC
 * @param platformName    CL_PLATFORM_NAME
 * @param platformVersion CL_PLATFORM_VERSION, which carries the driver release (e.g. "OpenCL 3.0 PoCL 3.1+debian
 *                        ...", "OpenCL 3.0 CUDA 12.4.131"); Aparapi does not expose CL_DRIVER_VERSION, so this
 *                        stands in for it in the program-cache key
 * @param computeUnits    CL_DEVICE_MAX_COMPUTE_UNITS
 * @param globalMemBytes  CL_DEVICE_GLOBAL_MEM_SIZE
 * @param localMemBytes   CL_DEVICE_LOCAL_MEM_SIZE
 * @param maxWorkGroup    CL_DEVICE_MAX_WORK_GROUP_SIZE
 */
public record OpenClDeviceInfo(int index, String name, String type, String platformName, String platformVersion,
                               int computeUnits, long globalMemBytes, long localMemBytes, int maxWorkGroup) {

    public boolean isCpu() {
        return type.equals("CPU");
    }

    /** One line: {@code opencl:0 NAME (CPU, PLATFORM, PLATFORM VERSION, 2 compute units, 15.4 GiB)}. */
    public String describe() {
        return String.format(Locale.ROOT, "opencl:%d %s (%s, %s, %s, %d compute units, %.1f GiB)", index, name, type,
                platformName, platformVersion, computeUnits, globalMemBytes / (double) (1L << 30));
    }
}
