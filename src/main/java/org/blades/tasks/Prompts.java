package org.blades.tasks;

import static org.blades.tasks.Task.APERTURE;
import static org.blades.tasks.Task.COARSE;
import static org.blades.tasks.Task.EXPOSURE_MODE;
import static org.blades.tasks.Task.EXPOSURE_PROGRAM;
import static org.blades.tasks.Task.EXPOSURE_TIME;
import static org.blades.tasks.Task.FINE;
import static org.blades.tasks.Task.FOCAL_LENGTH;
import static org.blades.tasks.Task.ISO;
import static org.blades.tasks.Task.MAKE;
import static org.blades.tasks.Task.METERING_MODE;
import static org.blades.tasks.Task.WHITE_BALANCE;

import java.util.ArrayList;
import java.util.List;
import org.blades.tensor.IntTensor;
import org.blades.text.ClipTokenizer;

// P = 50 prompts, T = the tokenizer's context length (77 for CLIP)

/**
 * The 50 text prompts of BLADES in logit-column order, with the wording of the authors' code. Logit column c of
 * the joint embedding (B, P) is the similarity of an image to prompt c.
 *
 * <p>The paper's templates (Sec. 3.2) differ in wording from the code's ("A photo of a face captured using the
 * {l} {tag}" for the ordinal tags, "A photo of a {g} face"); we follow the code, whose released checkpoints were
 * trained on these exact strings. The capital "A" of the categorical prompts is the code's too; CLIP's tokenizer
 * lower-cases it anyway.
 *
 * <p>The token ids ({@link #tokens}) are constants and may be computed once. The text features are not: the text
 * encoder trains with the vision encoder, so the trainer re-encodes all 50 prompts at every step.
 */
public final class Prompts {
    private Prompts() {
    }

    /** The number of prompts, P = 50: the width of the logits. */
    public static final int COUNT = 50;

    /**
     * One prompt.
     *
     * @param column     its logit column, 0-49
     * @param task       the task whose loss reads this column
     * @param classIndex its index among the task's prompts: the level (0 low, 1 medium, 2 high; d(l) = classIndex
     *                   + 1 in Eq. 7), the class id, or the region
     * @param className  the value filled into the template ("low", "Nikon", "photographic", "mouth")
     * @param text       the prompt as the text encoder reads it
     */
    public record Prompt(int column, Task task, int classIndex, String className, String text) {
    }

    private record Row(Task task, String className, String text) {
    }

    /** The table: one row per logit column, in column order. */
    private static final List<Prompt> TABLE = number(List.of(
            row(ISO, "low", "a photo of a face with the low value of ISO speed rating"),
            row(ISO, "medium", "a photo of a face with the medium value of ISO speed rating"),
            row(ISO, "high", "a photo of a face with the high value of ISO speed rating"),
            row(APERTURE, "low", "a photo of a face with the low value of aperture"),
            row(APERTURE, "medium", "a photo of a face with the medium value of aperture"),
            row(APERTURE, "high", "a photo of a face with the high value of aperture"),
            row(EXPOSURE_TIME, "low", "a photo of a face with the low value of exposure time"),
            row(EXPOSURE_TIME, "medium", "a photo of a face with the medium value of exposure time"),
            row(EXPOSURE_TIME, "high", "a photo of a face with the high value of exposure time"),
            row(FOCAL_LENGTH, "low", "a photo of a face with the low value of focal length"),
            row(FOCAL_LENGTH, "medium", "a photo of a face with the medium value of focal length"),
            row(FOCAL_LENGTH, "high", "a photo of a face with the high value of focal length"),
            row(MAKE, "Nikon", "a photo of a face taken with the Nikon brand camera"),
            row(MAKE, "Apple", "a photo of a face taken with the Apple brand camera"),
            row(MAKE, "FUJIFILM", "a photo of a face taken with the FUJIFILM brand camera"),
            row(MAKE, "Canon", "a photo of a face taken with the Canon brand camera"),
            row(MAKE, "Samsung", "a photo of a face taken with the Samsung brand camera"),
            row(MAKE, "Sony", "a photo of a face taken with the Sony brand camera"),
            row(MAKE, "Panasonic", "a photo of a face taken with the Panasonic brand camera"),
            row(MAKE, "Nokia", "a photo of a face taken with the Nokia brand camera"),
            row(MAKE, "Pentax", "a photo of a face taken with the Pentax brand camera"),
            row(MAKE, "others", "a photo of a face taken with the others brand camera"),
            row(METERING_MODE, "average", "A photo of the face captured using the average metering mode"),
            row(METERING_MODE, "centerweighted", "A photo of the face captured using the centerweighted metering mode"),
            row(METERING_MODE, "others", "A photo of the face captured using the others metering mode"),
            row(METERING_MODE, "partial", "A photo of the face captured using the partial metering mode"),
            row(METERING_MODE, "spot", "A photo of the face captured using the spot metering mode"),
            row(METERING_MODE, "multi-spot", "A photo of the face captured using the multi-spot metering mode"),
            row(METERING_MODE, "multi-segment",
                    "A photo of the face captured using the multi-segment metering mode"),
            row(METERING_MODE, "evaluative", "A photo of the face captured using the evaluative metering mode"),
            row(EXPOSURE_MODE, "auto", "A photo of the face captured using the auto exposure mode"),
            row(EXPOSURE_MODE, "auto-bracketing",
                    "A photo of the face captured using the auto-bracketing exposure mode"),
            row(EXPOSURE_MODE, "program", "A photo of the face captured using the program exposure mode"),
            row(EXPOSURE_MODE, "manual", "A photo of the face captured using the manual exposure mode"),
            row(EXPOSURE_MODE, "aperture-priority",
                    "A photo of the face captured using the aperture-priority exposure mode"),
            row(EXPOSURE_MODE, "easy-shooting", "A photo of the face captured using the easy-shooting exposure mode"),
            row(EXPOSURE_MODE, "shutter-priority",
                    "A photo of the face captured using the shutter-priority exposure mode"),
            row(WHITE_BALANCE, "auto", "A photo of the face captured using the auto white balance mode"),
            row(WHITE_BALANCE, "manual", "A photo of the face captured using the manual white balance mode"),
            row(EXPOSURE_PROGRAM, "landscape mode",
                    "A photo of the face captured using the exposure program set to landscape mode"),
            row(EXPOSURE_PROGRAM, "manual control",
                    "A photo of the face captured using the exposure program set to manual control"),
            row(EXPOSURE_PROGRAM, "normal program",
                    "A photo of the face captured using the exposure program set to normal program"),
            row(EXPOSURE_PROGRAM, "portrait mode",
                    "A photo of the face captured using the exposure program set to portrait mode"),
            row(EXPOSURE_PROGRAM, "shutter priority",
                    "A photo of the face captured using the exposure program set to shutter priority"),
            row(EXPOSURE_PROGRAM, "aperture priority",
                    "A photo of the face captured using the exposure program set to aperture priority"),
            row(COARSE, "photographic", "a photo of a photographic face"),
            row(COARSE, "manipulated", "a photo of a manipulated face"),
            row(FINE, "mouth", "a photo of a face with a manipulated mouth region"),
            row(FINE, "eye", "a photo of a face with a manipulated eye region"),
            row(FINE, "nose", "a photo of a face with a manipulated nose region")));

    private static Row row(Task task, String className, String text) {
        return new Row(task, className, text);
    }

    /** Gives each row its column and class index, checking that every task's rows fill its column range. */
    private static List<Prompt> number(List<Row> rows) {
        if (rows.size() != COUNT) {
            throw new IllegalStateException("Prompts: " + rows.size() + " rows, expected " + COUNT);
        }
        List<Prompt> out = new ArrayList<>(COUNT);
        for (int c = 0; c < COUNT; c++) {
            Row r = rows.get(c);
            if (c < r.task.firstColumn() || c >= r.task.endColumn()) {
                throw new IllegalStateException("Prompts: row " + c + " (" + r.text + ") lies outside " + r.task
                        + "'s columns " + r.task.firstColumn() + "-" + (r.task.endColumn() - 1));
            }
            out.add(new Prompt(c, r.task, c - r.task.firstColumn(), r.className, r.text));
        }
        return List.copyOf(out);
    }

    /** All 50 prompts in column order. */
    public static List<Prompt> all() {
        return TABLE;
    }

    /** The prompt of one logit column. */
    public static Prompt at(int column) {
        if (column < 0 || column >= COUNT) {
            throw new IndexOutOfBoundsException("Prompts.at: column " + column + " is not in [0, " + COUNT + ")");
        }
        return TABLE.get(column);
    }

    /** The 50 prompt texts in column order: the text encoder's input. */
    public static List<String> texts() {
        List<String> out = new ArrayList<>(COUNT);
        for (Prompt p : TABLE) {
            out.add(p.text());
        }
        return List.copyOf(out);
    }

    /** One task's prompts in column order (K of them). */
    public static List<Prompt> forTask(Task task) {
        return TABLE.subList(task.firstColumn(), task.endColumn());
    }

    /**
     * All prompts tokenised at CLIP's context length.
     *
     * @return (P=50, T=77) token ids, row c = prompt c
     */
    public static IntTensor tokens(ClipTokenizer tokenizer) {
        return tokenizer.tokenizeBatch(texts(), ClipTokenizer.DEFAULT_CONTEXT_LENGTH);
    }
}
