package org.blades.models.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.io.StDType;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;

// rank = number of dimensions of a tensor

/**
 * A file of reference-data/models/ (written by reference-data/generate_models.py), opened so that a missing file
 * fails the test with the command that regenerates it, plus comparison helpers that collect one summary line per
 * tensor (max error and budget share) for the test log.
 */
final class ModelReference implements AutoCloseable {
    private final SafetensorsFile file;
    private final List<String> lines = new ArrayList<>();

    private ModelReference(SafetensorsFile file) {
        this.file = file;
    }

    static Path path(String fileName) {
        return ReferenceFile.projectRoot().resolve("reference-data").resolve("models").resolve(fileName);
    }

    static ModelReference open(String fileName) {
        Path p = path(fileName);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("reference file " + p + " is missing; generate it with "
                    + "`/usr/bin/python3 reference-data/generate_models.py` from the project root");
        }
        try {
            return new ModelReference(Safetensors.open(p));
        } catch (IOException e) {
            throw new AssertionError("reference file " + p + " cannot be read: " + e.getMessage(), e);
        }
    }

    SafetensorsFile file() {
        return file;
    }

    /** The JSON object under __metadata__[key]. */
    Map<String, Object> meta(String key) {
        String json = file.metadata().get(key);
        if (json == null) {
            throw new AssertionError(file.path() + ": no metadata entry '" + key + "'");
        }
        return Json.parseObject(json, "metadata '" + key + "' of " + file.path());
    }

    /** A float tensor of the file as a float32 tensor (F64 references are rounded: inputs only). */
    Tensor f32(String name) {
        return Tensor.of(file.floatsNarrowed(name), file.shape(name));
    }

    /** A float tensor of the file as a float64 tensor (exact). */
    Tensor f64(String name) {
        return Tensor.of(file.doubles(name), file.shape(name));
    }

    /** Compares {@code actual} with reference tensor {@code name}; integer references compare as exact doubles. */
    TensorCompare.Report compare(String name, Tensor actual, Tolerance tol) {
        double[] reference = file.info(name).dtype().isFloating() ? file.doubles(name) : longsAsDoubles(name);
        TensorCompare.Report r = TensorCompare.assertClose(name, actual.toDoubleArray(), actual.shape(), reference,
                file.shape(name), tol);
        lines.add(r.summary());
        return r;
    }

    /** max |ref| over the tensor: the scale errors of long float32 sums grow with. */
    double maxAbs(String name) {
        double m = 0;
        for (double v : file.doubles(name)) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private double[] longsAsDoubles(String name) {
        if (file.info(name).dtype() != StDType.I64) {
            throw new AssertionError(name + " is " + file.info(name).dtype() + ", not a float or I64 tensor");
        }
        long[] v = file.longs(name); // (numel)
        double[] d = new double[v.length]; // (numel)
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    List<String> report() {
        return lines;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
