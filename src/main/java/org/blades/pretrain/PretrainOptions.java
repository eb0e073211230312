package org.blades.pretrain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.blades.bilevel.BilevelOptions;
import org.blades.nn.optim.AdamOptions;
import org.blades.tasks.LossOptions;
import org.blades.tasks.OrdinalLoss;
import org.blades.tasks.Task;
import org.blades.tasks.ThurstoneVariant;

// K = 11 tasks

/**
 * Everything the bi-level pretraining algorithm leaves open, with the paper's values ({@link #paper()}, Sec. 4.1)
 * and the ablations of Table 7:
 * <ul>
 *   <li>7a "training f_φ ✗": {@code trainText = false}, the text tower (with BLADES' proj_out) is frozen and left
 *       out of θ; the temperature stays trainable;</li>
 *   <li>7b "focal weighting ✗": {@code losses.focalGamma() = 0}; "pairwise ranking ✗":
 *       {@code losses.ordinalLoss() = LEVEL_CLASSIFICATION}; "bi-level optimization ✗": {@code bilevel = false},
 *       λ fixed at 1;</li>
 *   <li>7c the primary task: {@link PrimaryTask};</li>
 *   <li>7d any subset of the pretext tasks: {@code tasks}. A task left out has λᵢ = 0 for good and its loss is not
 *       computed, unless the upper level needs it (the primary task stays the outer loss even when it is not a
 *       pretext task, e.g. "EXIF only").</li>
 * </ul>
 *
 * @param epochs  passes over the training set, and T_max of the cosine schedule (20)
 * @param inner   AdamW on θ: lr α₀ 1e-5, weight decay 1e-3 (also the virtual step's wd), PyTorch's betas and eps
 * @param outer   Adam on λ: lr β = 3e-4, PyTorch's betas and eps, no weight decay
 * @param fdScale ε·‖v‖ of the finite difference (0.01)
 * @param bilevel false: λ stays at its initial value (the "bi-level off" ablation)
 * @param primary the upper-level loss ℓ₁
 * @param trainText whether the text encoder trains with the image encoder
 * @param losses  focal γ, ranking or per-level classification, the Thurstone variant
 * @param tasks   the pretext tasks of the inner loss, a non-empty subset of the eleven
 */
public record PretrainOptions(int epochs, AdamOptions inner, AdamOptions outer, double fdScale, boolean bilevel,
        PrimaryTask primary, boolean trainText, LossOptions losses, Set<Task> tasks) {

    public PretrainOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("PretrainOptions: epochs " + epochs + " must be >= 1");
        }
        if (inner == null || outer == null || primary == null || losses == null || tasks == null) {
            throw new IllegalArgumentException("PretrainOptions: inner, outer, primary, losses and tasks must be given");
        }
        if (!(fdScale > 0) || Double.isInfinite(fdScale)) {
            throw new IllegalArgumentException("PretrainOptions: fdScale " + fdScale + " must be finite and > 0");
        }
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("PretrainOptions: at least one pretext task is needed");
        }
        tasks = Collections.unmodifiableSet(EnumSet.copyOf(tasks));
    }

    /** Sec. 4.1 and the authors' code: 20 epochs, AdamW 1e-5 / 1e-3, Adam 3e-4, ε·‖v‖ 0.01, coarse, all tasks. */
    public static PretrainOptions paper() {
        return new PretrainOptions(20, AdamOptions.adamWDefaults().withLr(1e-5).withWeightDecay(1e-3),
                AdamOptions.adamDefaults().withLr(3e-4), 0.01, true, PrimaryTask.COARSE, true, LossOptions.paper(),
                EnumSet.allOf(Task.class));
    }

    public PretrainOptions withEpochs(int n) {
        return new PretrainOptions(n, inner, outer, fdScale, bilevel, primary, trainText, losses, tasks);
    }

    public PretrainOptions withInner(AdamOptions o) {
        return new PretrainOptions(epochs, o, outer, fdScale, bilevel, primary, trainText, losses, tasks);
    }

    public PretrainOptions withOuter(AdamOptions o) {
        return new PretrainOptions(epochs, inner, o, fdScale, bilevel, primary, trainText, losses, tasks);
    }

    public PretrainOptions withFdScale(double s) {
        return new PretrainOptions(epochs, inner, outer, s, bilevel, primary, trainText, losses, tasks);
    }

    public PretrainOptions withBilevel(boolean on) {
        return new PretrainOptions(epochs, inner, outer, fdScale, on, primary, trainText, losses, tasks);
    }

    public PretrainOptions withPrimary(PrimaryTask p) {
        return new PretrainOptions(epochs, inner, outer, fdScale, bilevel, p, trainText, losses, tasks);
    }

    public PretrainOptions withTrainText(boolean on) {
        return new PretrainOptions(epochs, inner, outer, fdScale, bilevel, primary, on, losses, tasks);
    }

    public PretrainOptions withLosses(LossOptions l) {
        return new PretrainOptions(epochs, inner, outer, fdScale, bilevel, primary, trainText, l, tasks);
    }

    public PretrainOptions withTasks(Set<Task> t) {
        return new PretrainOptions(epochs, inner, outer, fdScale, bilevel, primary, trainText, losses, t);
    }

    /** The bi-level step's settings: the virtual step decays like AdamW (wd), ε·‖v‖, on or off. */
    public BilevelOptions bilevelOptions() {
        return new BilevelOptions(inner.weightDecay(), fdScale, bilevel);
    }

    /** λ at the start: 1 for every pretext task (Sec. 4.1), 0 for the tasks left out. (K) */
    public double[] initialLambda() {
        double[] l = new double[Task.COUNT]; // (K)
        for (Task t : tasks) {
            l[t.lambdaIndex()] = 1;
        }
        return l;
    }

    /** Which λᵢ the outer loop moves: the pretext tasks', when bi-level is on. (K) */
    public boolean[] movableLambda() {
        boolean[] m = new boolean[Task.COUNT]; // (K)
        for (Task t : tasks) {
            m[t.lambdaIndex()] = bilevel;
        }
        return m;
    }

    /** w of ℓ₁ = Σ wᵢ ℓᵢ. (K) */
    public double[] outerWeights() {
        return primary.outerWeights(tasks);
    }

    /** The tasks whose loss must be computed: the pretext tasks and, with bi-level on, those ℓ₁ reads. */
    public Set<Task> computedTasks() {
        EnumSet<Task> out = EnumSet.copyOf(tasks);
        if (bilevel) {
            double[] w = outerWeights();
            for (Task t : Task.values()) {
                if (w[t.lambdaIndex()] != 0) {
                    out.add(t);
                }
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** The options as JSON values (checkpoint metadata, config.json). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", (long) epochs);
        m.put("inner", adamJson(inner));
        m.put("outer", adamJson(outer));
        m.put("fd_scale", fdScale);
        m.put("bilevel", bilevel);
        m.put("primary", primary.key());
        m.put("train_text", trainText);
        m.put("focal_gamma", losses.focalGamma());
        m.put("ordinal_loss", losses.ordinalLoss().name());
        m.put("thurstone", losses.thurstone().name());
        List<Object> names = new ArrayList<>();
        for (Task t : tasks) {
            names.add(t.name());
        }
        m.put("tasks", names);
        return m;
    }

    /** The inverse of {@link #toJson}; a missing or mistyped entry throws, naming it. */
    public static PretrainOptions fromJson(Map<String, Object> json) {
        EnumSet<Task> tasks = EnumSet.noneOf(Task.class);
        for (Object o : JsonFields.list(json, "tasks")) {
            tasks.add(Task.valueOf((String) o));
        }
        LossOptions losses = new LossOptions(JsonFields.number(json, "focal_gamma"),
                OrdinalLoss.valueOf(JsonFields.string(json, "ordinal_loss")),
                ThurstoneVariant.valueOf(JsonFields.string(json, "thurstone")));
        return new PretrainOptions(Math.toIntExact(JsonFields.integer(json, "epochs")), adam(JsonFields.object(json, "inner")),
                adam(JsonFields.object(json, "outer")), JsonFields.number(json, "fd_scale"), JsonFields.bool(json, "bilevel"),
                PrimaryTask.ofKey(JsonFields.string(json, "primary")), JsonFields.bool(json, "train_text"), losses, tasks);
    }

    private static Map<String, Object> adamJson(AdamOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", o.lr());
        m.put("beta1", o.beta1());
        m.put("beta2", o.beta2());
        m.put("eps", o.eps());
        m.put("weight_decay", o.weightDecay());
        return m;
    }

    private static AdamOptions adam(Map<String, Object> m) {
        return new AdamOptions(JsonFields.number(m, "lr"), JsonFields.number(m, "beta1"), JsonFields.number(m, "beta2"),
                JsonFields.number(m, "eps"), JsonFields.number(m, "weight_decay"));
    }
}
