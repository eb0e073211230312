package org.blades.pretrain;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.blades.bilevel.TaskObjective;
import org.blades.data.ExifTag;
import org.blades.data.loader.Batch;
import org.blades.data.loader.BatchLabels;
import org.blades.tasks.ClassLabels;
import org.blades.tasks.OrdinalLabels;
import org.blades.tasks.RegionLabels;
import org.blades.tasks.Task;
import org.blades.tasks.TaskLabels;
import org.blades.tasks.TaskLosses;
import org.blades.tensor.Autograd;
import org.blades.tensor.Indexing;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

// B = batch, P = 50 prompts, D = joint embedding size, K = 11 tasks, M = 3 fine regions

/**
 * F(θ) of a {@link BladesModel} on a loader {@link Batch}: the logits of Eq. 2 for the 50 prompts, then each
 * task's loss (Eqs. 3-10) from the batch's labels ({@link #taskLabels}).
 *
 * <p>θ = {φ, ϕ, τ} (Sec. 3.3): the image encoder, the text encoder and the temperature; without the text encoder
 * when it is frozen ({@link PretrainOptions#trainText()}). A frozen text tower's features cannot change, so they
 * are computed once, off the tape, on first use.
 *
 * <p>Tasks outside {@link PretrainOptions#computedTasks()} are not evaluated: their entry of F is a constant 0
 * (their λᵢ is 0 and fixed, and ℓ₁ does not read them).
 */
public final class BladesObjective implements TaskObjective<Batch> {
    private final BladesModel model;
    private final TaskLosses losses;
    private final Set<Task> computed;
    private final boolean trainText;
    private final Map<String, Tensor> theta; // dotted name → parameter, in θ's order
    private final ParameterVector thetaVector;
    private Tensor frozenText; // (P, D), only when the text tower is frozen

    public BladesObjective(BladesModel model, PretrainOptions options) {
        this.model = model;
        this.losses = new TaskLosses(options.losses());
        this.computed = options.computedTasks();
        this.trainText = options.trainText();
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            if (trainText || !e.getKey().startsWith("text.")) {
                params.put(e.getKey(), e.getValue());
            }
        }
        this.theta = java.util.Collections.unmodifiableMap(params);
        this.thetaVector = new ParameterVector(new ArrayList<>(params.values()));
    }

    public BladesModel model() {
        return model;
    }

    /** θ by state-dict name, in the order of {@link #parameters()}. */
    public Map<String, Tensor> namedParameters() {
        return theta;
    }

    @Override
    public ParameterVector parameters() {
        return thetaVector;
    }

    /** The prompts' features: recomputed on the tape while the text tower trains, else the frozen ones. (P, D) */
    public Tensor textFeatures() {
        if (trainText) {
            return model.textFeatures();
        }
        if (frozenText == null) {
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                frozenText = model.textFeatures().detach();
            }
        }
        return frozenText;
    }

    /** F(θ) on the batch: (K). */
    @Override
    public Tensor taskLosses(Batch batch) {
        return taskLosses(batch.images(), taskLabels(batch.labels()));
    }

    /**
     * F(θ) for images and their labels.
     *
     * @param images (B, 3, H, W)
     * @return (K), entry {@link Task#lambdaIndex()}
     */
    public Tensor taskLosses(Tensor images, TaskLabels labels) {
        Tensor logits = model.logits(images, textFeatures()); // (B, P)
        List<Tensor> f = new ArrayList<>(Task.COUNT);
        for (Task task : Task.values()) {
            f.add(computed.contains(task) ? losses.loss(task, logits, labels) : Tensor.scalar(model.dtype(), 0.0));
        }
        return Indexing.stack(f, 0); // (K)
    }

    /**
     * The loader's labels in the task losses' form. EXIF tags and tasks share their names; the ordinal tasks rank
     * the raw values (masked where the tag has no rankable value) and, in the ranking ablation, classify the
     * levels (masked where no level could be assigned). Coarse and fine labels are never masked.
     */
    public static TaskLabels taskLabels(BatchLabels labels) {
        int b = labels.batchSize();
        Map<Task, OrdinalLabels> ordinal = new EnumMap<>(Task.class);
        Map<Task, ClassLabels> categorical = new EnumMap<>(Task.class);
        for (ExifTag tag : ExifTag.values()) {
            Task task = Task.valueOf(tag.name());
            ClassLabels classes = new ClassLabels(labels.classIds(tag), labels.valid(tag));
            if (tag.isOrdinal()) {
                ordinal.put(task, new OrdinalLabels(labels.rankValues(tag), labels.rankValid(tag), classes));
            } else {
                categorical.put(task, classes);
            }
        }
        float[] fine = labels.fine(); // (B, M)
        double[] targets = new double[fine.length]; // (B, M)
        for (int i = 0; i < fine.length; i++) {
            targets[i] = fine[i];
        }
        boolean[] all = new boolean[b]; // (B)
        java.util.Arrays.fill(all, true);
        return new TaskLabels(ordinal, categorical, ClassLabels.allValid(labels.coarse()), new RegionLabels(targets, all));
    }
}
