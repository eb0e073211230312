package org.blades.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The OpenCL C 1.2 source of the one BLADES-J program: the files of the repository's kernels/ folder, read as
 * classpath resources kernels/NAME.cl and concatenated in a fixed order (OpenCL has no #include across program
 * strings). Each file is self-contained; names are unique across files.
 */
final class KernelSources {

    /** The files of kernels/, in program order. */
    static final List<String> FILES = List.of("elementwise.cl", "reduce.cl", "softmax.cl", "layernorm.cl",
            "batchnorm.cl", "conv.cl", "pool.cl", "gemm.cl", "optim.cl", "indexing.cl");

    private KernelSources() {
    }

    /** The whole program source. */
    static String program() {
        StringBuilder sb = new StringBuilder(64 * 1024);
        for (String f : FILES) {
            sb.append("// ---- kernels/").append(f).append('\n').append(read(f)).append('\n');
        }
        return sb.toString();
    }

    static String read(String file) {
        String path = "kernels/" + file;
        try (InputStream in = KernelSources.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("OpenCL kernel source " + path + " is not on the class path (the "
                        + "build copies the repository's kernels/ folder into the jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }
}
