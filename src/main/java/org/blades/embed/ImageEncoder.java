package org.blades.embed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.models.vision.ResNet;
import org.blades.models.vision.ResNetConfig;
import org.blades.models.vision.ResNetInference;
import org.blades.nn.Checkpoint;
import org.blades.nn.PortableInit;
import org.blades.nn.StateDict;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.Norm;
import org.blades.tensor.Shape;
import org.blades.tensor.Tensor;

// B = batch, H/W = input height/width, D = feature dimensions, w = ResNet width

/**
 * The frozen image encoder of the detection stage: a float32 {@link ResNet} in evaluation mode, run as a {@link
 * ResNetInference} snapshot (weights prepared once, activation buffers reused; the module's eval forward, bit for
 * bit), whose outputs are L2-normalised as in the authors' code before the GMM or the perceptron sees them.
 *
 * <p>Where the weights come from:
 * <ul>
 *   <li>a pretraining run directory: its {@code visual.safetensors} (the encoder alone, written when the run ends),
 *       else its latest {@code checkpoint.safetensors};</li>
 *   <li>a pretraining checkpoint ({@link Checkpoint}, verified against its SHA-256 sidecar), image encoder under
 *       {@code model.visual.} (a {@code BladesModel}) or {@code model.} (a bare ResNet);</li>
 *   <li>a plain safetensors state dict of the ResNet (torchvision names), at the top level or under
 *       {@code visual.}; a {@code .sha256} sidecar, if present, is verified too;</li>
 *   <li>a preset ({@code tiny}, {@code resnet50}) filled by {@link PortableInit}: untrained, but deterministic, for
 *       tests and the demo.</li>
 * </ul>
 * The architecture (width, blocks per stage, output dimension) is read off the tensors' names and shapes, so no
 * config entry is needed; the load is strict, so any leftover or missing tensor is an error naming it. The input size
 * the encoder was trained at, when recorded ({@link #inputSizeHint}), comes from the file's metadata or a
 * {@code config.json} beside it (a run directory's).
 */
public final class ImageEncoder {
    private static final String HASH_FORMAT = "blades-encoder/1 resnet float32";

    private final ResNetInference net;
    private final EncoderId id;
    private final Integer inputSizeHint;

    private ImageEncoder(ResNet net, String source, Integer inputSizeHint) {
        net.train(false);
        this.net = new ResNetInference(net);
        this.id = new EncoderId(weightsSha256(net), net.config(), source);
        this.inputSizeHint = inputSizeHint;
    }

    /** The named preset's ResNet ({@code tiny} or {@code resnet50}, both 768-d) with portable-init weights. */
    public static ImageEncoder preset(String name, long seed) {
        ResNetConfig config = switch (name) {
            case "tiny" -> ResNetConfig.tiny();
            case "resnet50" -> ResNetConfig.resnet50();
            default -> throw new IllegalArgumentException("unknown encoder preset '" + name + "' (tiny, resnet50)");
        };
        ResNet net = new ResNet(DType.F32, config);
        PortableInit.init(net, seed);
        return new ImageEncoder(net, "preset " + name + ", portable init seed " + seed, null);
    }

    /** In a pretraining run directory ({@code blades pretrain --out RUN_DIR}): the encoder alone, written at the end. */
    static final String RUN_ENCODER = "visual.safetensors";
    /** In a run directory: the latest checkpoint, used when the run has not finished. */
    static final String RUN_CHECKPOINT = "checkpoint.safetensors";
    /** In a run directory: the run's config, whose preset names the input size. */
    static final String RUN_CONFIG = "config.json";

    /** The image encoder of a checkpoint, a weights file or a pretraining run directory (see the class comment). */
    public static ImageEncoder load(Path path) throws IOException {
        Path file = path;
        if (Files.isDirectory(path)) {
            file = Files.isRegularFile(path.resolve(RUN_ENCODER)) ? path.resolve(RUN_ENCODER) : path.resolve(RUN_CHECKPOINT);
            if (!Files.isRegularFile(file)) {
                throw new IOException(path + ": a folder, but not a pretraining run (neither " + RUN_ENCODER + " nor "
                        + RUN_CHECKPOINT + " in it)");
            }
        } else if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such file");
        }
        boolean checkpoint;
        try (SafetensorsFile f = Safetensors.open(file)) {
            checkpoint = Checkpoint.FORMAT.equals(f.metadata().get("format"));
        }
        if (checkpoint || Files.exists(Checkpoint.hashFile(file))) {
            // Verified before anything is loaded: a torn or swapped file must not become an encoder.
            Checkpoint.verify(file);
        }
        try (SafetensorsFile f = Safetensors.open(file)) {
            List<String> prefixes = checkpoint ? List.of("model.visual.", "model.") : List.of("", "visual.", "model.visual.");
            String prefix = null;
            for (String p : prefixes) {
                if (f.contains(p + "conv1.weight")) {
                    prefix = p;
                    break;
                }
            }
            if (prefix == null) {
                throw new IOException(file + ": no ResNet image encoder in this " + (checkpoint ? "checkpoint" : "file")
                        + " (no 'conv1.weight' under " + String.join(", ", prefixes.stream().map(p -> "'" + p + "'").toList())
                        + ")");
            }
            ResNetConfig config = inferConfig(f, prefix);
            ResNet net = new ResNet(DType.F32, config);
            StateDict.load(net, f, StateDict.LoadOptions.STRICT.withPrefix(prefix));
            Integer hint = inputSizeHint(f, checkpoint);
            if (hint == null) {
                hint = inputSize(readJson(file.toAbsolutePath().resolveSibling(RUN_CONFIG)));
            }
            return new ImageEncoder(net, (checkpoint ? "checkpoint " : "weights ") + file
                    + (prefix.isEmpty() ? "" : " (" + prefix + "*)"), hint);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** width from conv1 (w, 3, 7, 7), blocks from the layerS.I names, outDim from fc (D, 32w). */
    private static ResNetConfig inferConfig(SafetensorsFile f, String prefix) throws IOException {
        int[] conv1 = f.shape(prefix + "conv1.weight");
        if (conv1.length != 4 || conv1[1] != 3) {
            throw new IOException(f.path() + ": '" + prefix + "conv1.weight' is " + Shape.format(conv1)
                    + ", not a ResNet stem (w, 3, 7, 7)");
        }
        List<Integer> blocks = new ArrayList<>();
        for (int s = 1; s <= 4; s++) {
            int n = 0;
            while (f.contains(prefix + "layer" + s + "." + n + ".conv1.weight")) {
                n++;
            }
            if (n == 0) {
                throw new IOException(f.path() + ": no '" + prefix + "layer" + s + ".0.conv1.weight'; not a ResNet");
            }
            blocks.add(n);
        }
        if (!f.contains(prefix + "fc.weight") || f.shape(prefix + "fc.weight").length != 2) {
            throw new IOException(f.path() + ": no 2-D '" + prefix + "fc.weight', so the feature dimension is unknown");
        }
        return new ResNetConfig(conv1[0], blocks, f.shape(prefix + "fc.weight")[0]);
    }

    /**
     * The input size a file's metadata records (a checkpoint's metadata JSON, or a plain file's entries read as JSON),
     * see {@link #inputSize}; else null.
     */
    private static Integer inputSizeHint(SafetensorsFile f, boolean checkpoint) {
        if (checkpoint) {
            return inputSize(jsonOrNull(f.metadata().getOrDefault("metadata", "{}")));
        }
        Map<String, Object> root = new LinkedHashMap<>();
        f.metadata().forEach((k, v) -> root.put(k, jsonOrNull(v)));
        return inputSize(root);
    }

    /**
     * "input_size" (a positive integer) at the top of a JSON object or in its "preset", "config" or "config.preset"
     * object, the places pretraining checkpoints and run configs keep it; else null.
     */
    static Integer inputSize(Object json) {
        Object config = json instanceof Map<?, ?> m ? m.get("config") : null;
        Object[] places = {json, json instanceof Map<?, ?> m ? m.get("preset") : null, config,
            config instanceof Map<?, ?> c ? c.get("preset") : null};
        for (Object place : places) {
            if (place instanceof Map<?, ?> m && m.get("input_size") instanceof Long v && v > 0 && v <= 65536) {
                return v.intValue();
            }
        }
        return null;
    }

    /** A JSON file's value, or null when it is missing or not JSON (a hint, never an error). */
    private static Object readJson(Path file) {
        try {
            return Files.isRegularFile(file) ? jsonOrNull(Files.readString(file)) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Metadata values are strings; those that are not JSON carry no hint. */
    private static Object jsonOrNull(String text) {
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public EncoderId id() {
        return id;
    }

    /** D. */
    public int dimensions() {
        return id.config().outDim();
    }

    /** The input side the weights were trained at, when their file says so; else null. */
    public Integer inputSizeHint() {
        return inputSizeHint;
    }

    /**
     * L2-normalised features of a batch, without a tape.
     *
     * @param images (B, 3, H, W) float32, CLIP-normalised
     * @return (B, D) float32, unit rows
     */
    public Tensor embed(Tensor images) {
        try (var g = Autograd.noGrad()) {
            Tensor f = net.forward(images); // (B, D)
            return Norm.l2Normalize(f, 1).contiguous();
        }
    }

    /**
     * SHA-256 (lowercase hex) identifying an encoder by what decides its outputs: over the ASCII line
     * "blades-encoder/1 resnet float32 CONFIG-JSON\n", then per float tensor of the state dict in order (integer
     * counters such as num_batches_tracked never change an output and are left out) the line "NAME SHAPE\n" and the
     * values as float32 little-endian. The same weights hash the same from a checkpoint, a plain file or memory.
     */
    public static String weightsSha256(ResNet net) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((HASH_FORMAT + " " + Json.write(net.config().toJson()) + "\n").getBytes(StandardCharsets.US_ASCII));
            StateDict dict = StateDict.of(net);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, Tensor> e : dict.tensors().entrySet()) {
                if (dict.isInteger(e.getKey())) {
                    continue;
                }
                md.update((e.getKey() + " " + Shape.format(e.getValue().shape()) + "\n").getBytes(StandardCharsets.UTF_8));
                float[] v = e.getValue().contiguous().toFloatArray(); // (numel)
                for (float x : v) {
                    if (buf.remaining() < 4) {
                        md.update(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(x);
                }
                md.update(buf.array(), 0, buf.position());
                buf.clear();
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
