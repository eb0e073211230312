package org.blades.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.io.StDType;
import org.blades.io.TensorInfo;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// numel = elements of one tensor

/**
 * A model's named tensors (PyTorch state_dict names and order) and the bridge between modules and safetensors
 * files: {@link #save} writes a module, {@link #load} fills a module from a file, by name.
 *
 * <p>dtypes: float tensors are saved in their own dtype (F32 or F64) and loaded from F32, F16, BF16 (converted
 * exactly) or F64 (rounded to float32 for a float32 model). Integer buffers ({@link IntegerBuffers}, e.g.
 * num_batches_tracked) are saved as I64 and loaded from I64, I32 or U8.
 *
 * <p>Loading checks everything before it writes anything: every model key must be in the file (else
 * <i>missing</i>), every file key under the prefix must be in the model (else <i>unexpected</i>), and each pair
 * must agree in shape and kind (float or integer; else <i>mis-shaped</i>). Any mis-shaped key, or with
 * {@link Strictness#STRICT} any missing or unexpected one, fails with one {@link MismatchException} that lists
 * all three groups; the module is then untouched.
 */
public final class StateDict {
    /** Largest integer a float64 holds exactly, and so the largest count an integer buffer holds. */
    private static final double MAX_EXACT_INTEGER = 0x1p53;
    private static final long MAX_EXACT_INTEGER_LONG = 1L << 53;
    /** Keys listed per group in a mismatch message; the rest are counted. */
    private static final int LISTED_KEYS = 40;

    private final Map<String, Tensor> tensors;
    private final Set<String> integerKeys;

    private StateDict(Map<String, Tensor> tensors, Set<String> integerKeys) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.integerKeys = Collections.unmodifiableSet(new LinkedHashSet<>(integerKeys));
    }

    /** Whether missing and unexpected keys fail a load (mis-shaped keys always do, as in PyTorch). */
    public enum Strictness {
        /** Missing or unexpected keys fail the load, like torch's load_state_dict(strict=True). */
        STRICT,
        /** Missing and unexpected keys are only reported in the {@link LoadReport}. */
        LENIENT
    }

    /**
     * @param prefix     prepended to every model key to find it in the file (e.g. "visual." to load the vision
     *                   tower of a combined checkpoint); file keys outside the prefix are ignored
     * @param strictness see {@link Strictness}
     * @param skipped    model-key prefixes left out on both sides: neither loaded, missing, unexpected nor
     *                   mis-shaped. E.g. "fc." loads an ImageNet ResNet-50 (fc 2048 → 1000) into the BLADES encoder
     *                   (fc 2048 → 768), as the authors did by replacing fc after loading.
     */
    public record LoadOptions(String prefix, Strictness strictness, List<String> skipped) {
        public static final LoadOptions STRICT = new LoadOptions("", Strictness.STRICT, List.of());
        public static final LoadOptions LENIENT = new LoadOptions("", Strictness.LENIENT, List.of());

        public LoadOptions {
            if (prefix == null || strictness == null || skipped == null) {
                throw new IllegalArgumentException("state dict load options: prefix, strictness and skipped must be "
                        + "non-null");
            }
            skipped = List.copyOf(skipped);
        }

        public LoadOptions withPrefix(String p) {
            return new LoadOptions(p, strictness, skipped);
        }

        /** These options with {@code keyPrefixes} added to {@link #skipped}. */
        public LoadOptions skipping(String... keyPrefixes) {
            List<String> all = new ArrayList<>(skipped);
            all.addAll(List.of(keyPrefixes));
            return new LoadOptions(prefix, strictness, all);
        }

        boolean isSkipped(String key) {
            for (String p : skipped) {
                if (key.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What a successful load did: model keys loaded, and (lenient loads only) the missing and unexpected keys. */
    public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected) {
        public LoadReport {
            loaded = List.copyOf(loaded);
            missing = List.copyOf(missing);
            unexpected = List.copyOf(unexpected);
        }
    }

    /** A failed load; the message lists every missing, unexpected and mis-shaped key. */
    public static final class MismatchException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final List<String> missing;
        private final List<String> unexpected;
        private final List<String> misshaped;

        MismatchException(String message, List<String> missing, List<String> unexpected, List<String> misshaped) {
            super(message);
            this.missing = List.copyOf(missing);
            this.unexpected = List.copyOf(unexpected);
            this.misshaped = List.copyOf(misshaped);
        }

        /** Model keys absent from the file (with the prefix applied). */
        public List<String> missing() {
            return missing;
        }

        /** File keys (without the prefix) the model does not have. */
        public List<String> unexpected() {
            return unexpected;
        }

        /** Model keys whose file tensor has another shape or kind. */
        public List<String> misshaped() {
            return misshaped;
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Construction and access

    /** The live tensors of {@code model} (not copies) in state_dict order, with its integer buffers marked. */
    public static StateDict of(Module model) {
        Set<String> ints = new LinkedHashSet<>();
        collectIntegerKeys(model, "", ints);
        return new StateDict(model.stateDict(), ints);
    }

    /** Named tensors with the given keys marked as integer counters (each must be a float64 tensor). */
    public static StateDict of(Map<String, Tensor> tensors, Set<String> integerKeys) {
        for (String k : integerKeys) {
            Tensor t = tensors.get(k);
            if (t == null || t.dtype() != DType.F64) {
                throw new IllegalArgumentException("state dict: integer key '" + k + "' must name a float64 tensor, "
                        + "got " + (t == null ? "none" : t.dtype().name() + " " + shapeString(t.shape())));
            }
        }
        return new StateDict(tensors, integerKeys);
    }

    /**
     * Copies of the tensors of {@code file} whose names start with {@code prefix}, the prefix removed, in file
     * order: F64 as float64, other floating dtypes as float32, integers as float64 integer counters.
     */
    public static StateDict read(SafetensorsFile file, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<String> ints = new LinkedHashSet<>();
        FileSource src = new FileSource(file, prefix);
        for (String key : src.keys()) {
            Kind kind = src.kind(key);
            if (kind == Kind.OTHER) {
                throw new IllegalArgumentException("state dict: " + src.describe(key) + " is neither a float nor an "
                        + "integer tensor");
            }
            String bad = kind == Kind.INTEGER ? checkIntegers(src, key) : null;
            if (bad != null) {
                throw new IllegalArgumentException("state dict: " + bad);
            }
            TensorInfo info = file.info(prefix + key);
            DType dtype = kind == Kind.FLOAT && info.dtype() != StDType.F64 ? DType.F32 : DType.F64;
            out.put(key, src.read(key, dtype));
            if (kind == Kind.INTEGER) {
                ints.add(key);
            }
        }
        return new StateDict(out, ints);
    }

    /** Keys to tensors in order (the live tensors for {@link #of(Module)}). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Set<String> keys() {
        return tensors.keySet();
    }

    /** Whether {@code key} is an integer counter (saved as I64). */
    public boolean isInteger(String key) {
        return integerKeys.contains(key);
    }

    /** The tensor under {@code key}; an unknown key throws, naming it. */
    public Tensor get(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("state dict: no key '" + key + "' (" + tensors.size() + " keys)");
        }
        return t;
    }

    private static void collectIntegerKeys(Module m, String prefix, Set<String> out) {
        if (m instanceof IntegerBuffers ib) {
            for (String name : ib.integerBufferNames()) {
                out.add(prefix + name);
            }
        }
        m.children().forEach((name, child) -> collectIntegerKeys(child, prefix + name + ".", out));
    }

    // ----------------------------------------------------------------------------------------------
    // Saving

    /** Adds every tensor under {@code prefix + key}: floats in their dtype, integer counters as I64. */
    public void writeTo(Safetensors.Writer writer, String prefix) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = prefix + e.getKey();
            Tensor t = e.getValue().contiguous().detach();
            int[] shape = t.shape();
            if (integerKeys.contains(e.getKey())) {
                writer.put(name, toLongs(name, t.toDoubleArray()), shape);
            } else if (t.dtype() == DType.F32) {
                writer.put(name, t.toFloatArray(), shape);
            } else {
                writer.put(name, t.toDoubleArray(), shape);
            }
        }
    }

    /** Writes this state dict as a plain safetensors file (atomically); returns its SHA-256 (lowercase hex). */
    public String save(Path path, Map<String, String> metadata) throws IOException {
        Safetensors.Writer w = Safetensors.writer();
        metadata.forEach(w::metadata);
        writeTo(w, "");
        return w.write(path);
    }

    /** {@code of(model).save(path, metadata)}: a file PyTorch loads with load_state_dict after safetensors' load. */
    public static String save(Module model, Path path, Map<String, String> metadata) throws IOException {
        return of(model).save(path, metadata);
    }

    private static long[] toLongs(String name, double[] v) {
        long[] out = new long[v.length]; // (numel)
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > MAX_EXACT_INTEGER) {
                throw new IllegalArgumentException("state dict: integer buffer '" + name + "' element " + i + " = "
                        + v[i] + " is not an integer below 2^53");
            }
            out[i] = (long) v[i];
        }
        return out;
    }

    // ----------------------------------------------------------------------------------------------
    // Loading

    /** Fills {@code model} from the tensors of {@code file}; see the class comment for the checks. */
    public static LoadReport load(Module model, SafetensorsFile file, LoadOptions options) {
        return load(model, new FileSource(file, options.prefix()), options);
    }

    /** Fills {@code model} from this state dict (values copied); see the class comment for the checks. */
    public LoadReport loadInto(Module model, LoadOptions options) {
        return load(model, new MapSource(this, options.prefix()), options);
    }

    private enum Kind {
        FLOAT,
        INTEGER,
        OTHER
    }

    /** Tensors by key with the prefix already removed. */
    private interface Source {
        String name();

        Set<String> keys();

        int[] shape(String key);

        Kind kind(String key);

        /** "'key' F32 (2, 3)" for messages. */
        String describe(String key);

        /** A dense copy in {@code dtype}; integers arrive as float64, exact after {@link #checkIntegers}. */
        Tensor read(String key, DType dtype);

        /** The values of an integer tensor. */
        long[] integers(String key);
    }

    private static LoadReport load(Module model, Source src, LoadOptions options) {
        StateDict target = of(model);
        List<String> missing = new ArrayList<>();
        List<String> misshaped = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : target.tensors.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            if (options.isSkipped(key)) {
                continue;
            }
            if (!src.keys().contains(key)) {
                missing.add(key);
                continue;
            }
            Kind want = target.isInteger(key) ? Kind.INTEGER : Kind.FLOAT;
            if (!Arrays.equals(src.shape(key), t.shape()) || src.kind(key) != want) {
                misshaped.add(key);
                String modelKind = want == Kind.INTEGER ? "integer" : t.dtype().name();
                problems.add(src.describe(key) + " in the file, model has " + modelKind + " " + shapeString(t.shape()));
            } else if (want == Kind.INTEGER) {
                String bad = checkIntegers(src, key);
                if (bad != null) {
                    misshaped.add(key);
                    problems.add(bad);
                }
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : src.keys()) {
            if (!target.tensors.containsKey(key) && !options.isSkipped(key)) {
                unexpected.add(key);
            }
        }
        boolean strict = options.strictness() == Strictness.STRICT;
        if (!misshaped.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new MismatchException(mismatchMessage(model, src, options, missing, unexpected, problems), missing,
                    unexpected, misshaped);
        }
        List<String> loaded = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : target.tensors.entrySet()) {
            if (src.keys().contains(e.getKey()) && !options.isSkipped(e.getKey())) {
                Tensor t = e.getValue();
                t.copyFromInPlace(src.read(e.getKey(), t.dtype()));
                loaded.add(e.getKey());
            }
        }
        return new LoadReport(loaded, missing, unexpected);
    }

    /** Null if every value of integer tensor {@code key} fits a float64 exactly, else the problem. */
    private static String checkIntegers(Source src, String key) {
        long[] v = src.integers(key); // (numel)
        for (int i = 0; i < v.length; i++) {
            if (v[i] > MAX_EXACT_INTEGER_LONG || v[i] < -MAX_EXACT_INTEGER_LONG) {
                return src.describe(key) + " element " + i + " = " + v[i] + " is beyond 2^53, which a float64 "
                        + "counter cannot hold exactly";
            }
        }
        return null;
    }

    private static String mismatchMessage(Module model, Source src, LoadOptions options, List<String> missing,
                                          List<String> unexpected, List<String> problems) {
        StringBuilder sb = new StringBuilder("load state dict into ").append(model.getClass().getSimpleName())
                .append(" from ").append(src.name());
        if (!options.prefix().isEmpty()) {
            sb.append(" (prefix '").append(options.prefix()).append("')");
        }
        if (!options.skipped().isEmpty()) {
            sb.append(" (skipping ").append(quoted("", options.skipped())).append(')');
        }
        sb.append(": ").append(missing.size()).append(" missing, ").append(unexpected.size()).append(" unexpected, ")
                .append(problems.size()).append(" mis-shaped keys (").append(options.strictness()).append(')');
        list(sb, "missing (in the model, not in the file)", quoted("", missing));
        list(sb, "unexpected (in the file, not in the model)", quoted(options.prefix(), unexpected));
        list(sb, "mis-shaped or mis-typed", problems);
        return sb.toString();
    }

    private static void list(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(title).append(':');
        for (int i = 0; i < Math.min(items.size(), LISTED_KEYS); i++) {
            sb.append("\n    ").append(items.get(i));
        }
        if (items.size() > LISTED_KEYS) {
            sb.append("\n    ... and ").append(items.size() - LISTED_KEYS).append(" more");
        }
    }

    private static List<String> quoted(String prefix, List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            out.add("'" + prefix + k + "'");
        }
        return out;
    }

    static String shapeString(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** The tensors of a safetensors file under a prefix. */
    private static final class FileSource implements Source {
        private final SafetensorsFile file;
        private final String prefix;
        private final Set<String> keys = new LinkedHashSet<>();

        FileSource(SafetensorsFile file, String prefix) {
            this.file = file;
            this.prefix = prefix;
            for (String n : file.names()) {
                if (n.startsWith(prefix)) {
                    keys.add(n.substring(prefix.length()));
                }
            }
        }

        @Override
        public String name() {
            return "safetensors " + file.path();
        }

        @Override
        public Set<String> keys() {
            return keys;
        }

        @Override
        public int[] shape(String key) {
            return file.shape(prefix + key);
        }

        @Override
        public Kind kind(String key) {
            StDType d = file.info(prefix + key).dtype();
            if (d.isFloating()) {
                return Kind.FLOAT;
            }
            return d == StDType.I64 || d == StDType.I32 || d == StDType.U8 ? Kind.INTEGER : Kind.OTHER;
        }

        @Override
        public String describe(String key) {
            TensorInfo info = file.info(prefix + key);
            return "'" + prefix + key + "' " + info.dtype() + " " + info.shapeString();
        }

        @Override
        public Tensor read(String key, DType dtype) {
            String name = prefix + key;
            int[] shape = file.shape(name);
            if (kind(key) == Kind.INTEGER) {
                long[] v = integers(key); // (numel)
                double[] d = new double[v.length]; // (numel)
                for (int i = 0; i < v.length; i++) {
                    d[i] = v[i];
                }
                return Tensor.of(d, shape);
            }
            return dtype == DType.F32 ? Tensor.of(file.floatsNarrowed(name), shape)
                    : Tensor.of(file.doubles(name), shape);
        }

        @Override
        public long[] integers(String key) {
            return file.longs(prefix + key);
        }
    }

    /** The tensors of an in-memory state dict under a prefix. */
    private static final class MapSource implements Source {
        private final StateDict dict;
        private final String prefix;
        private final Set<String> keys = new LinkedHashSet<>();

        MapSource(StateDict dict, String prefix) {
            this.dict = dict;
            this.prefix = prefix;
            for (String n : dict.keys()) {
                if (n.startsWith(prefix)) {
                    keys.add(n.substring(prefix.length()));
                }
            }
        }

        @Override
        public String name() {
            return "a state dict of " + dict.tensors.size() + " tensors";
        }

        @Override
        public Set<String> keys() {
            return keys;
        }

        @Override
        public int[] shape(String key) {
            return dict.get(prefix + key).shape();
        }

        @Override
        public Kind kind(String key) {
            return dict.isInteger(prefix + key) ? Kind.INTEGER : Kind.FLOAT;
        }

        @Override
        public String describe(String key) {
            Tensor t = dict.get(prefix + key);
            return "'" + prefix + key + "' " + (dict.isInteger(prefix + key) ? "integer" : t.dtype().name()) + " "
                    + shapeString(t.shape());
        }

        @Override
        public Tensor read(String key, DType dtype) {
            Tensor t = dict.get(prefix + key).detach();
            Tensor out = Tensor.empty(dtype, t.shape());
            out.copyFromInPlace(t);
            return out;
        }

        @Override
        public long[] integers(String key) {
            double[] v = dict.get(prefix + key).toDoubleArray(); // (numel), integral by construction
            long[] out = new long[v.length]; // (numel)
            for (int i = 0; i < v.length; i++) {
                out[i] = (long) v[i];
            }
            return out;
        }
    }
}
