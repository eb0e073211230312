package org.blades.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;

/**
 * A PyTorch reference file, reference-data/&lt;family&gt;.safetensors under the project root.
 *
 * <p>Naming (see the design notes): case NAME has tensors NAME.in.&lt;arg&gt;, NAME.out[.k], NAME.gout,
 * NAME.grad.&lt;arg&gt;, and its arguments as a JSON object in __metadata__ under key NAME.
 *
 * <p>A missing or corrupt file FAILS the test (AssertionError naming the path and how to regenerate
 * it), never skips: a green run without reference data would check nothing.
 */
public final class ReferenceFile implements AutoCloseable {

    private final Path path;
    private final SafetensorsFile file;

    private ReferenceFile(Path path, SafetensorsFile file) {
        this.path = path;
        this.file = file;
    }

    /** Opens projectRoot()/reference-data/&lt;family&gt;.safetensors. */
    public static ReferenceFile open(String family) {
        return open(projectRoot(), family);
    }

    /** Opens root/reference-data/&lt;family&gt;.safetensors; tests of this class pass a temporary root. */
    public static ReferenceFile open(Path root, String family) {
        Path path = root.resolve("reference-data").resolve(family + ".safetensors");
        if (!Files.isRegularFile(path)) {
            throw new AssertionError("reference file " + path + " is missing; generate it with "
                    + "`/usr/bin/python3 reference-data/generate.py` from the project root");
        }
        try {
            return new ReferenceFile(path, Safetensors.open(path));
        } catch (IOException e) {
            throw new AssertionError("reference file " + path + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The nearest directory at or above the working directory that holds pom.xml. */
    public static Path projectRoot() {
        Path start = Paths.get("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new AssertionError("no pom.xml in " + start + " or any parent directory: cannot locate the project root "
                + "(and with it reference-data/)");
    }

    public Path path() {
        return path;
    }

    /** The underlying file, for anything the helpers here do not cover. */
    public SafetensorsFile file() {
        return file;
    }

    /** Distinct case names (tensor-name prefix before the first '.'), in file order. */
    public List<String> caseNames() {
        Set<String> cases = new LinkedHashSet<>();
        for (String name : file.names()) {
            int dot = name.indexOf('.');
            cases.add(dot < 0 ? name : name.substring(0, dot));
        }
        return new ArrayList<>(cases);
    }

    /** Tensor names of one case ("NAME.in.x", "NAME.out", ...), in file order. */
    public List<String> tensorsOf(String caseName) {
        requireCase(caseName);
        List<String> out = new ArrayList<>();
        for (String name : file.names()) {
            if (name.equals(caseName) || name.startsWith(caseName + ".")) {
                out.add(name);
            }
        }
        return out;
    }

    /** The case's arguments: __metadata__[caseName] parsed as a JSON object; empty if the case has no entry. */
    public Map<String, Object> caseArgs(String caseName) {
        requireCase(caseName);
        String json = file.metadata().get(caseName);
        if (json == null) {
            return Map.of();
        }
        try {
            return Json.parseObject(json, "metadata '" + caseName + "' of " + path);
        } catch (Json.JsonException e) {
            throw new AssertionError("reference file " + path + ": case '" + caseName + "': bad arguments JSON: " + e.getMessage(), e);
        }
    }

    public double[] doubles(String tensor) {
        return file.doubles(tensor);
    }

    public float[] floats(String tensor) {
        return file.floats(tensor);
    }

    public int[] shape(String tensor) {
        return file.shape(tensor);
    }

    /** Compares {@code actual} of {@code actualShape} with reference tensor {@code tensor}. */
    public TensorCompare.Report assertClose(String tensor, double[] actual, int[] actualShape, Tolerance tol) {
        return TensorCompare.assertClose(tensor, actual, actualShape, file.doubles(tensor), file.shape(tensor), tol);
    }

    /** Float variant; the reference is read as double so an F64 reference is not rounded first. */
    public TensorCompare.Report assertClose(String tensor, float[] actual, int[] actualShape, Tolerance tol) {
        return TensorCompare.assertClose(tensor, actual, actualShape, file.doubles(tensor), file.shape(tensor), tol);
    }

    private void requireCase(String caseName) {
        if (!caseNames().contains(caseName)) {
            throw new AssertionError("reference file " + path + ": no case '" + caseName + "'; cases: " + caseNames());
        }
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing reference file " + path, e);
        }
    }
}
