package org.blades.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class LineChartTest {

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writesWellFormedSvgWithEscapedNamesAndStepCurves() throws Exception {
        double[] x = new double[5001];
        double[] y = new double[5001];
        for (int i = 0; i < x.length; i++) {
            x[i] = i / 5000.0;
            y[i] = Math.sqrt(x[i]);
        }
        String svg = LineChart.svgFile(new LineChart.Options("ROC <a & b>", "x", "y", true,
                LineChart.Corner.LOWER_RIGHT), List.of(new LineChart.Series("gan \"1\" <&>", x, y, false),
                new LineChart.Series("steps", new double[] {1, 0.5, 0}, new double[] {0.5, 0.8, 1}, true)));
        Document doc = parse(svg);
        Element root = doc.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(svg).contains("gan &quot;1&quot; &lt;&amp;&gt;").contains("ROC &lt;a &amp; b&gt;");
        String dense = ((Element) doc.getElementsByTagName("polyline").item(0)).getAttribute("points");
        // 5001 points across 380 px: thinned to at most a few per pixel, ends kept
        assertThat(dense.split(" ").length).isLessThan(1600).isGreaterThan(100);
        assertThat(dense).startsWith("60.00,").endsWith("440.00,36.00");
        String steps = ((Element) doc.getElementsByTagName("polyline").item(1)).getAttribute("points");
        // (1, 0.5) -> (0.5, 0.5) -> (0.5, 0.8) -> (0, 0.8) -> (0, 1): horizontal first, then up
        assertThat(steps.split(" ")).hasSize(5);
    }

    @Test
    void htmlPagesParseAsXml() throws Exception {
        String page = Html.page("a < b", "<p>" + Html.escape("x & \u0001 'y'") + "</p>\n");
        Document doc = parse(page);
        assertThat(doc.getElementsByTagName("title").item(0).getTextContent()).isEqualTo("a < b");
        assertThat(doc.getElementsByTagName("p").item(0).getTextContent()).isEqualTo("x & ? 'y'");
    }
}
