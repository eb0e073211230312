package org.blades.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.blades.tasks.Task;
import org.junit.jupiter.api.Test;

class LambdaPlotTest {

    @Test
    void barsAreSortedDescendingWithThePrimaryTaskInBold() {
        double[] first = new double[Task.COUNT];
        double[] last = new double[Task.COUNT];
        for (int i = 0; i < Task.COUNT; i++) {
            first[i] = 1;
            last[i] = 1 - 0.01 * i;
        }
        last[Task.COARSE.lambdaIndex()] = 1.2;
        String svg = LambdaPlot.svg(List.of(new TraceFile.LambdaRow(1, first), new TraceFile.LambdaRow(40, last)),
                Set.of(Task.COARSE), "test");
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n");
        assertThat(svg.split("<polyline", -1)).hasSize(Task.COUNT + 1);
        int coarse = svg.indexOf("font-weight=\"bold\">coarse<");
        int iso = svg.indexOf("\"end\">iso<");
        int fine = svg.indexOf("\"end\">fine<");
        assertThat(coarse).isPositive().isLessThan(iso);
        assertThat(iso).isLessThan(fine);
        assertThat(svg).contains("1.2000").contains("λ at step 40");
    }

    @Test
    void anEmptyTraceStillGivesAValidPicture() {
        assertThat(LambdaPlot.svg(List.of(), Set.of(Task.COARSE), "a <title> & more"))
                .contains("no steps yet").contains("a &lt;title&gt; &amp; more").endsWith("</svg>\n");
    }
}
