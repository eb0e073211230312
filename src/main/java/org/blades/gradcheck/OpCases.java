package org.blades.gradcheck;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.blades.tasks.TaskLossCases;

/** Every registered gradient-check case: what {@code blades gradcheck} and the OpCases test run. */
public final class OpCases {
    private OpCases() {
    }

    /**
     * The core's cases, then convolution/pooling/batch-norm, then activation/normalisation/indexing, then the
     * BLADES task losses (Eqs. 3-10) and their λ-weighted sum. Case names
     * are unique across families so that --filter and reports are unambiguous.
     */
    public static List<OpCase> all() {
        List<OpCase> all = new ArrayList<>(CoreCases.cases());
        all.addAll(ConvPoolCases.cases());
        all.addAll(LayerCases.cases());
        all.addAll(TaskLossCases.cases());
        Set<String> names = new HashSet<>();
        for (OpCase c : all) {
            if (!names.add(c.name())) {
                throw new IllegalStateException("OpCases: two cases are named '" + c.name() + "'");
            }
        }
        return List.copyOf(all);
    }
}
