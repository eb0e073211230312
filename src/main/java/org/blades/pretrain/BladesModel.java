package org.blades.pretrain;

import java.util.Map;
import org.blades.io.SafetensorsFile;
import org.blades.models.JointEmbedding;
import org.blades.models.text.TextEncoder;
import org.blades.models.vision.ResNet;
import org.blades.nn.Module;
import org.blades.nn.PortableInit;
import org.blades.nn.StateDict;
import org.blades.tasks.Prompts;
import org.blades.tensor.DType;
import org.blades.tensor.IntTensor;
import org.blades.tensor.Tensor;
import org.blades.text.ClipTokenizer;

// B = images, P = 50 prompts, T = 77 token positions, D = joint embedding size, H/W = input height/width

/**
 * BLADES' pretraining model (Fig. 1, Eq. 2): the image encoder f_φ (ResNet), the text encoder f_ϕ (CLIP's text
 * tower with BLADES' proj_out) and the joint embedding with its learned temperature τ:
 *
 * <pre>
 *   logits[b, p] = exp(logit_scale) · cos(f_φ(x_b), f_ϕ(t_p))     (B, P)   Eq. 2, all 50 prompts at once
 * </pre>
 *
 * State-dict names: {@code visual.*} (torchvision ResNet names), {@code text.*} (CLIP text-tower names),
 * {@code joint.logit_scale}. A pretraining checkpoint stores them under {@code model.}, so the detection stage
 * loads the image encoder with the prefix {@code model.visual.}.
 *
 * <p>The prompt token ids are constants, tokenised once. The text features are not: while the text encoder trains
 * they must be recomputed from the current weights at every pass ({@link #textFeatures()}).
 */
public final class BladesModel extends Module {
    private final BladesPreset preset;
    private final DType dtype;
    private final ResNet visual;
    private final TextEncoder text;
    private final JointEmbedding joint;
    private final IntTensor promptIds; // (P, T)

    public BladesModel(BladesPreset preset, DType dtype) {
        this.preset = preset;
        this.dtype = dtype;
        this.visual = child("visual", new ResNet(dtype, preset.vision()));
        this.text = child("text", new TextEncoder(preset.text(), dtype));
        this.joint = child("joint", new JointEmbedding(dtype));
        this.promptIds = Prompts.tokens(ClipTokenizer.standard());
    }

    public BladesPreset preset() {
        return preset;
    }

    public DType dtype() {
        return dtype;
    }

    public ResNet visual() {
        return visual;
    }

    public TextEncoder text() {
        return text;
    }

    public JointEmbedding joint() {
        return joint;
    }

    /** f_ϕ of the 50 prompts: (P, D), on the tape when grad mode is on. */
    public Tensor textFeatures() {
        return text.forward(promptIds);
    }

    /** f_φ(x): images (B, 3, H, W) → (B, D). */
    public Tensor imageFeatures(Tensor images) {
        return visual.forward(images);
    }

    /**
     * Eq. 2 for every image and prompt.
     *
     * @param images       (B, 3, H, W)
     * @param textFeatures (P, D) from {@link #textFeatures()} (possibly computed once, when the text tower is frozen)
     * @return (B, P)
     */
    public Tensor logits(Tensor images, Tensor textFeatures) {
        return joint.logits(imageFeatures(images), textFeatures);
    }

    /**
     * A deterministic start from scratch: every weight of rank >= 2 (convolutions, linear maps, embeddings) uniform
     * in ±1/sqrt(fan_in) from {@link PortableInit} (PyTorch's default bound), the text tower's norms and biases
     * by {@link TextEncoder#initPortable}'s rules, the image encoder's batch norms at PyTorch's 1 and 0 with fresh
     * running statistics, its fc bias 0, and the temperature at CLIP's 0.07.
     */
    public void initPortable(long seed) {
        for (Map.Entry<String, Tensor> e : visual.namedParameters().entrySet()) {
            if (e.getValue().dim() >= 2) {
                PortableInit.fill(e.getValue(), "visual." + e.getKey(), seed,
                        PortableInit.rule(e.getKey(), e.getValue().shape()));
            }
        }
        text.initPortable(seed);
        joint.logitScale().fillInPlace(JointEmbedding.INITIAL_LOGIT_SCALE);
    }

    /**
     * Loads a torchvision ResNet state dict (e.g. ImageNet weights saved as safetensors) into the image encoder;
     * its fc (ImageNet's 1000 classes) is skipped, as the authors replaced fc after loading.
     */
    public StateDict.LoadReport loadVisionWeights(SafetensorsFile file) {
        return StateDict.load(visual, file, StateDict.LoadOptions.STRICT.skipping("fc."));
    }

    /** Loads OpenAI CLIP's state dict (prefix "") into the text tower; BLADES' proj_out keeps its values. */
    public StateDict.LoadReport loadTextWeights(SafetensorsFile file) {
        return text.loadPretrained(file, "");
    }
}
