package org.blades.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.blades.tensor.Tensor;

// B = batch, P = 50 prompts (logit columns), K = the task's prompts (levels, classes or regions)

/**
 * The eleven pretext tasks of BLADES (Sec. 3.2), each owning a contiguous range of the 50 logit columns
 * (the prompt order of the authors' code, see {@link Prompts}).
 *
 * <p>The declaration order is the index order of the task-weight vector λ and of the task-loss vector F(θ):
 * <pre>
 *   λ index  0 ISO               ordinal      columns  0-2   (low, medium, high)
 *            1 APERTURE          ordinal               3-5
 *            2 EXPOSURE_TIME     ordinal               6-8
 *            3 FOCAL_LENGTH      ordinal               9-11
 *            4 MAKE              categorical          12-21
 *            5 METERING_MODE     categorical          22-29
 *            6 EXPOSURE_MODE     categorical          30-36
 *            7 WHITE_BALANCE     categorical          37-38
 *            8 EXPOSURE_PROGRAM  categorical          39-44
 *            9 COARSE            coarse               45-46  (photographic, manipulated)
 *           10 FINE              fine                 47-49  (mouth, eye, nose)
 * </pre>
 * This is the order of the authors' {@code meta_weights} (4 ordinal, 5 categorical, coarse, fine). COARSE is the
 * outer loop's primary task ℓ₁ (Eq. 1a), although it is index 9 here.
 */
public enum Task {
    ISO(Kind.ORDINAL, 0, 3),
    APERTURE(Kind.ORDINAL, 3, 6),
    EXPOSURE_TIME(Kind.ORDINAL, 6, 9),
    FOCAL_LENGTH(Kind.ORDINAL, 9, 12),
    MAKE(Kind.CATEGORICAL, 12, 22),
    METERING_MODE(Kind.CATEGORICAL, 22, 30),
    EXPOSURE_MODE(Kind.CATEGORICAL, 30, 37),
    WHITE_BALANCE(Kind.CATEGORICAL, 37, 39),
    EXPOSURE_PROGRAM(Kind.CATEGORICAL, 39, 45),
    COARSE(Kind.COARSE, 45, 47),
    FINE(Kind.FINE, 47, 50);

    /** The four task sets of Sec. 3.2 and the loss each one uses. */
    public enum Kind {
        /** Task 3: ordinal EXIF tag ranking, Eqs. 6-9 ({@link ThurstoneRankingLoss}). */
        ORDINAL,
        /** Task 2: categorical EXIF tag classification, Eq. 5 ({@link FocalFidelityLoss}). */
        CATEGORICAL,
        /** Task 1: coarse-grained face manipulation detection, Eqs. 3-4 ({@link FidelityLoss}). */
        COARSE,
        /** Task 4: fine-grained face manipulation detection, Eq. 10 ({@link RegionFidelityLoss}). */
        FINE
    }

    /** Number of tasks K = 11: the length of λ and F(θ). */
    public static final int COUNT = 11;

    private final Kind kind;
    private final int firstColumn;
    private final int endColumn;

    Task(Kind kind, int firstColumn, int endColumn) {
        this.kind = kind;
        this.firstColumn = firstColumn;
        this.endColumn = endColumn;
    }

    public Kind kind() {
        return kind;
    }

    /** This task's index in λ and F(θ): its declaration order. */
    public int lambdaIndex() {
        return ordinal();
    }

    /** The first logit column of this task's prompts. */
    public int firstColumn() {
        return firstColumn;
    }

    /** One past the last logit column of this task's prompts. */
    public int endColumn() {
        return endColumn;
    }

    /** K: the number of this task's prompts (3 levels, the classes, 2 coarse classes or 3 regions). */
    public int classCount() {
        return endColumn - firstColumn;
    }

    /** The class names of this task's prompts in column order ("low", "Nikon", "photographic", "mouth", ...). */
    public List<String> classNames() {
        List<String> names = new ArrayList<>(classCount());
        for (Prompts.Prompt p : Prompts.forTask(this)) {
            names.add(p.className());
        }
        return List.copyOf(names);
    }

    /**
     * This task's logit columns: a view of the full logits.
     *
     * @param logits (B, P=50)
     * @return (B, K)
     */
    public Tensor logits(Tensor logits) {
        if (logits.dim() != 2 || logits.size(1) != Prompts.COUNT) {
            throw new IllegalArgumentException("Task " + this + ": logits must be (B, " + Prompts.COUNT + "), got "
                    + Arrays.toString(logits.shape()));
        }
        return logits.slice(1, firstColumn, endColumn);
    }

    /** The tasks of one kind, in λ order. */
    public static List<Task> ofKind(Kind kind) {
        List<Task> out = new ArrayList<>();
        for (Task t : values()) {
            if (t.kind == kind) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }
}
