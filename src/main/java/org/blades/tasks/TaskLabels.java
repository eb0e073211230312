package org.blades.tasks;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

// B = batch

/**
 * The labels of one batch for all eleven tasks, each with its mask for missing tags.
 *
 * @param ordinal     the four ordinal tasks ({@link Task.Kind#ORDINAL}), exactly those keys
 * @param categorical the five categorical tasks ({@link Task.Kind#CATEGORICAL}), exactly those keys; class ids
 *                    index the task's prompts ({@link Task#classNames()})
 * @param coarse      0 photographic, 1 manipulated (columns 45, 46)
 * @param fine        (B, 3) targets for the mouth, eye and nose regions (columns 47-49)
 */
public record TaskLabels(Map<Task, OrdinalLabels> ordinal, Map<Task, ClassLabels> categorical, ClassLabels coarse,
        RegionLabels fine) {

    public TaskLabels {
        ordinal = checkedCopy("ordinal", ordinal, Task.Kind.ORDINAL);
        categorical = checkedCopy("categorical", categorical, Task.Kind.CATEGORICAL);
        int b = coarse.batchSize();
        for (Map.Entry<Task, OrdinalLabels> e : ordinal.entrySet()) {
            checkBatch(e.getKey().toString(), e.getValue().batchSize(), b);
        }
        for (Map.Entry<Task, ClassLabels> e : categorical.entrySet()) {
            checkBatch(e.getKey().toString(), e.getValue().batchSize(), b);
            e.getValue().checkRange("TaskLabels " + e.getKey(), e.getKey().classCount());
        }
        checkBatch("FINE", fine.batchSize(), b);
        coarse.checkRange("TaskLabels COARSE", Task.COARSE.classCount());
        if (b > 0 && fine.regions() != Task.FINE.classCount()) {
            throw new IllegalArgumentException("TaskLabels: fine labels have " + fine.regions() + " regions, the fine "
                    + "task has " + Task.FINE.classCount() + " prompts");
        }
    }

    private static <V> Map<Task, V> checkedCopy(String what, Map<Task, V> labels, Task.Kind kind) {
        if (!labels.keySet().equals(Set.copyOf(Task.ofKind(kind)))) {
            throw new IllegalArgumentException("TaskLabels: the " + what + " labels must be given for exactly "
                    + Task.ofKind(kind) + ", got " + labels.keySet());
        }
        return Collections.unmodifiableMap(new EnumMap<>(labels));
    }

    private static void checkBatch(String task, int size, int expected) {
        if (size != expected) {
            throw new IllegalArgumentException("TaskLabels: " + task + " labels have batch size " + size
                    + ", the coarse labels " + expected);
        }
    }

    public int batchSize() {
        return coarse.batchSize();
    }

    /** The labels of an ordinal task. */
    public OrdinalLabels ordinal(Task task) {
        return get(ordinal, task, Task.Kind.ORDINAL);
    }

    /** The labels of a categorical task. */
    public ClassLabels categorical(Task task) {
        return get(categorical, task, Task.Kind.CATEGORICAL);
    }

    private static <V> V get(Map<Task, V> labels, Task task, Task.Kind kind) {
        if (task.kind() != kind) {
            throw new IllegalArgumentException("TaskLabels: " + task + " is not a " + kind + " task");
        }
        return labels.get(task);
    }
}
