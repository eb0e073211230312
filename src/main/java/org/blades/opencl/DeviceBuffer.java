package org.blades.opencl;

import java.util.Objects;

/**
 * A float buffer owned by one {@link OpenClDevice}: the operand of every {@link OpenClKernels} call. Data enters
 * with {@link #upload} and leaves with {@link #download}; between those edges only kernels touch it.
 *
 * <p>Where the bytes live is the binding's business. Through Aparapi's OpenCL binding a buffer is a Java array
 * that Aparapi pins and hands to the driver as CL_MEM_USE_HOST_PTR memory for the length of each kernel call,
 * writing it to the device before a kernel that reads it and reading it back after a kernel that writes it. On a
 * device that works in host memory (PoCL and other CPU drivers, integrated GPUs) that is the device memory itself,
 * and the copies cost nothing measurable; on a discrete GPU each call moves its operands over the bus (Aparapi's
 * binding has no resident device buffers). Callers must not rely on either: only kernels, upload and download.
 */
public final class DeviceBuffer implements AutoCloseable {

    private final OpenClDevice device;
    private final int length;
    private float[] data; // (length); null once closed

    DeviceBuffer(OpenClDevice device, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("DeviceBuffer: length " + length + " < 0");
        }
        this.device = Objects.requireNonNull(device, "device");
        this.length = length;
        this.data = new float[length];
    }

    public OpenClDevice device() {
        return device;
    }

    /** Number of floats. */
    public int length() {
        return length;
    }

    /** Copies n floats from src[srcOff ..] to this buffer at dstOff. */
    public void upload(float[] src, int srcOff, int dstOff, int n) {
        checkRange("upload", src.length, srcOff, dstOff, n);
        System.arraycopy(src, srcOff, array(), dstOff, n);
    }

    /** Copies all of src (of this buffer's length). */
    public void upload(float[] src) {
        if (src.length != length) {
            throw new IllegalArgumentException("DeviceBuffer.upload: " + src.length + " floats into a buffer of "
                    + length);
        }
        upload(src, 0, 0, length);
    }

    /** Copies n floats from this buffer at srcOff to dst[dstOff ..]. */
    public void download(float[] dst, int dstOff, int srcOff, int n) {
        checkRange("download", dst.length, dstOff, srcOff, n);
        System.arraycopy(array(), srcOff, dst, dstOff, n);
    }

    /** The whole buffer as a new host array. */
    public float[] download() {
        float[] out = new float[length]; // (length)
        download(out, 0, 0, length);
        return out;
    }

    /** Releases the storage; any later use throws. */
    @Override
    public void close() {
        data = null;
    }

    public boolean isClosed() {
        return data == null;
    }

    /** The storage handed to the binding; package-private so that only kernels write it. */
    float[] array() {
        if (data == null) {
            throw new IllegalStateException("DeviceBuffer of " + length + " floats used after close()");
        }
        return data;
    }

    private void checkRange(String op, int hostLength, int hostOff, int bufOff, int n) {
        if (n < 0 || hostOff < 0 || bufOff < 0 || (long) hostOff + n > hostLength || (long) bufOff + n > length) {
            throw new IndexOutOfBoundsException("DeviceBuffer." + op + ": " + n + " floats at host offset " + hostOff
                    + " (host length " + hostLength + ") and buffer offset " + bufOff + " (buffer length " + length
                    + ")");
        }
    }

    @Override
    public String toString() {
        return "DeviceBuffer(" + length + " floats on opencl:" + device.info().index()
                + (isClosed() ? ", closed)" : ")");
    }
}
