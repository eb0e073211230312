package org.blades.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Class groupings, masks and tertile binning of {@link ExifLabeler} and {@link OrdinalCuts}. */
class ExifLabelerTest {

    private static ExifValues values(Double iso, Double aperture, Double exposure, Double focal, String make,
            Integer metering, Integer exposureMode, Integer wb, Integer program) {
        return new ExifValues(iso, aperture, exposure, focal, make, metering, exposureMode, wb, program, null);
    }

    private static final OrdinalCuts NO_CUTS = new OrdinalCuts(Map.of());

    @Test
    void makeSpellingsAreFolded() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("NIKON CORPORATION", "Nikon"), Map.entry("NIKON", "Nikon"), Map.entry("Nikon", "Nikon"),
                Map.entry("Apple", "Apple"), Map.entry("FUJIFILM", "FUJIFILM"),
                Map.entry("FUJI PHOTO FILM CO., LTD.", "FUJIFILM"), Map.entry("Canon", "Canon"),
                Map.entry("SAMSUNG", "Samsung"), Map.entry("Samsung Techwin", "Samsung"), Map.entry("SONY", "Sony"),
                Map.entry("Sony Ericsson", "Sony"), Map.entry("Panasonic", "Panasonic"), Map.entry("Nokia", "Nokia"),
                Map.entry("PENTAX Corporation", "Pentax"), Map.entry("Asahi Optical Co.,Ltd", "Pentax"),
                Map.entry("OLYMPUS OPTICAL CO.,LTD", "others"), Map.entry("EASTMAN KODAK COMPANY", "others"),
                Map.entry("  Canon  ", "Canon"), Map.entry("CASIO COMPUTER CO.,LTD.", "others"));
        for (Map.Entry<String, String> e : cases.entrySet()) {
            int c = ExifLabeler.makeClass(e.getKey());
            assertThat(ExifTag.MAKE.classes().get(c)).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(ExifLabeler.makeClass(null)).isEqualTo(-1);
        assertThat(ExifLabeler.makeClass("   ")).isEqualTo(-1);
    }

    @Test
    void categoricalCodesFollowTheExifTables() {
        ExifLabels l = ExifLabeler.label(values(null, null, null, null, "Canon", 5, 2, 1, 3), NO_CUTS, LabelOptions.PAPER);
        assertThat(l.className(ExifTag.MAKE)).isEqualTo("Canon");
        assertThat(l.className(ExifTag.METERING_MODE)).isEqualTo("multi-segment");
        assertThat(l.className(ExifTag.EXPOSURE_MODE)).isEqualTo("auto-bracketing");
        assertThat(l.className(ExifTag.WHITE_BALANCE)).isEqualTo("manual");
        assertThat(l.className(ExifTag.EXPOSURE_PROGRAM)).isEqualTo("aperture priority");

        String[] metering = {null, "average", "centerweighted", "spot", "multi-spot", "multi-segment", "partial"};
        for (int code = 1; code <= 6; code++) {
            assertThat(className(ExifTag.METERING_MODE, values(null, null, null, null, null, code, null, null, null)))
                    .isEqualTo(metering[code]);
        }
        assertThat(className(ExifTag.METERING_MODE, values(null, null, null, null, null, 255, null, null, null)))
                .isEqualTo("others");
        String[] program = {null, "manual control", "normal program", "aperture priority", "shutter priority", null,
            null, "portrait mode", "landscape mode"};
        for (int code = 1; code <= 8; code++) {
            assertThat(className(ExifTag.EXPOSURE_PROGRAM, values(null, null, null, null, null, null, null, null, code)))
                    .isEqualTo(program[code]);
        }
    }

    private static String className(ExifTag tag, ExifValues v) {
        return ExifLabeler.label(v, NO_CUTS, LabelOptions.PAPER).className(tag);
    }

    @Test
    void unknownAndUnmappedCodesAreMaskedNotGuessed() {
        ExifLabels l = ExifLabeler.label(values(null, null, null, null, null, 0, 7, 2, 0), NO_CUTS, LabelOptions.PAPER);
        assertThat(l.status(ExifTag.MAKE)).isEqualTo(ExifLabels.Status.MISSING);
        assertThat(l.status(ExifTag.METERING_MODE)).as("0 = unknown").isEqualTo(ExifLabels.Status.MISSING);
        assertThat(l.status(ExifTag.EXPOSURE_PROGRAM)).as("0 = not defined").isEqualTo(ExifLabels.Status.MISSING);
        assertThat(l.status(ExifTag.EXPOSURE_MODE)).isEqualTo(ExifLabels.Status.UNMAPPED);
        assertThat(l.status(ExifTag.WHITE_BALANCE)).isEqualTo(ExifLabels.Status.UNMAPPED);
        for (ExifTag t : ExifTag.values()) {
            assertThat(l.present(t)).as(t.key()).isFalse();
            assertThat(l.label(t)).isEqualTo(-1);
            assertThat(l.className(t)).isNull();
        }
        ExifLabels action = ExifLabeler.label(values(null, null, null, null, null, null, null, null, 6), NO_CUTS,
                LabelOptions.PAPER);
        assertThat(action.status(ExifTag.EXPOSURE_PROGRAM)).as("6 = action: no class").isEqualTo(ExifLabels.Status.UNMAPPED);
    }

    @Test
    void canonEvaluativeIsAnOption() {
        ExifValues canon = values(null, null, null, null, "Canon", 5, null, null, null);
        ExifValues nikon = values(null, null, null, null, "NIKON", 5, null, null, null);
        LabelOptions evaluative = new LabelOptions(LabelOptions.ExposureTimeScale.SECONDS,
                LabelOptions.MeteringPattern.CANON_EVALUATIVE);
        assertThat(ExifLabeler.label(canon, NO_CUTS, evaluative).className(ExifTag.METERING_MODE)).isEqualTo("evaluative");
        assertThat(ExifLabeler.label(nikon, NO_CUTS, evaluative).className(ExifTag.METERING_MODE)).isEqualTo("multi-segment");
        assertThat(ExifLabeler.label(canon, NO_CUTS, LabelOptions.PAPER).className(ExifTag.METERING_MODE))
                .isEqualTo("multi-segment");
    }

    @Test
    void tertilesUseNearestRankAndNeverSplitTies() {
        List<ExifValues> train = new ArrayList<>();
        double[] isos = {100, 100, 100, 100, 200, 200, 400, 800, 1600}; // n = 9: cuts at v[2] = 100 and v[5] = 200
        for (double iso : isos) {
            train.add(values(iso, null, null, null, null, null, null, null, null));
        }
        train.add(values(null, null, null, null, null, null, null, null, null));
        train.add(values(0.0, null, null, null, null, null, null, null, null)); // unusable, not fitted
        OrdinalCuts cuts = OrdinalCuts.fit(train, LabelOptions.PAPER);
        assertThat(cuts.cut(ExifTag.ISO)).isEqualTo(new OrdinalCuts.Cut(100, 200, 9));
        assertThat(cuts.cut(ExifTag.APERTURE)).as("no values, no cut").isNull();
        int[] levels = new int[isos.length];
        for (int i = 0; i < isos.length; i++) {
            levels[i] = ExifLabeler.label(train.get(i), cuts, LabelOptions.PAPER).label(ExifTag.ISO);
        }
        assertThat(levels).containsExactly(0, 0, 0, 0, 1, 1, 2, 2, 2);
        ExifLabels zero = ExifLabeler.label(train.get(10), cuts, LabelOptions.PAPER);
        assertThat(zero.status(ExifTag.ISO)).isEqualTo(ExifLabels.Status.UNMAPPED);
        assertThat(zero.rankValue(ExifTag.ISO)).isNull();
        ExifLabels noAperture = ExifLabeler.label(values(null, 2.8, null, null, null, null, null, null, null), cuts,
                LabelOptions.PAPER);
        assertThat(noAperture.status(ExifTag.APERTURE)).as("value but no cut").isEqualTo(ExifLabels.Status.UNMAPPED);
        assertThat(noAperture.rankValue(ExifTag.APERTURE)).as("still rankable").isEqualTo(2.8);
    }

    @Test
    void tertilesOfDistinctValuesAreEqualThirds() {
        List<ExifValues> train = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            train.add(values(null, null, null, (double) i, null, null, null, null, null));
        }
        OrdinalCuts cuts = OrdinalCuts.fit(train, LabelOptions.PAPER);
        int[] perLevel = new int[3];
        for (ExifValues v : train) {
            perLevel[ExifLabeler.label(v, cuts, LabelOptions.PAPER).label(ExifTag.FOCAL_LENGTH)]++;
        }
        assertThat(perLevel).containsExactly(10, 10, 10);
    }

    @Test
    void reciprocalExposureTimeReversesTheOrder() {
        ExifValues fast = values(null, null, 1.0 / 200, null, null, null, null, null, null);
        ExifValues slow = values(null, null, 0.5, null, null, null, null, null, null);
        LabelOptions reciprocal = new LabelOptions(LabelOptions.ExposureTimeScale.RECIPROCAL,
                LabelOptions.MeteringPattern.MULTI_SEGMENT);
        assertThat(ExifLabeler.rankValue(ExifTag.EXPOSURE_TIME, fast, reciprocal)).isCloseTo(200.0,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(ExifLabeler.rankValue(ExifTag.EXPOSURE_TIME, fast, LabelOptions.PAPER))
                .isLessThan(ExifLabeler.rankValue(ExifTag.EXPOSURE_TIME, slow, LabelOptions.PAPER));
        assertThat(ExifLabeler.rankValue(ExifTag.EXPOSURE_TIME, fast, reciprocal))
                .isGreaterThan(ExifLabeler.rankValue(ExifTag.EXPOSURE_TIME, slow, reciprocal));
    }

    @Test
    void cutsAndOptionsRoundTripThroughJson() {
        OrdinalCuts cuts = new OrdinalCuts(Map.of(ExifTag.ISO, new OrdinalCuts.Cut(100, 400, 12),
                ExifTag.EXPOSURE_TIME, new OrdinalCuts.Cut(0.004, 0.0166666, 9)));
        String json = org.blades.io.Json.write(cuts.toJson());
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) org.blades.io.Json.parse(json);
        assertThat(OrdinalCuts.fromJson(back)).isEqualTo(cuts);
        LabelOptions o = new LabelOptions(LabelOptions.ExposureTimeScale.RECIPROCAL,
                LabelOptions.MeteringPattern.CANON_EVALUATIVE);
        assertThat(LabelOptions.fromJson(o.toJson())).isEqualTo(o);
        assertThatThrownBy(() -> OrdinalCuts.fromJson(Map.of("make", Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an ordinal tag");
    }

    @Test
    void classListsFollowThePromptColumns() {
        assertThat(ExifTag.MAKE.classes()).hasSize(10).startsWith("Nikon").endsWith("others");
        assertThat(ExifTag.METERING_MODE.classes()).hasSize(8);
        assertThat(ExifTag.EXPOSURE_MODE.classes()).hasSize(7);
        assertThat(ExifTag.WHITE_BALANCE.classes()).hasSize(2);
        assertThat(ExifTag.EXPOSURE_PROGRAM.classes()).hasSize(6);
        int columns = 12; // 4 ordinal tags x 3 levels come first
        for (ExifTag t : ExifTag.CATEGORICAL) {
            columns += t.classes().size();
        }
        assertThat(columns).as("prompt columns 0-44").isEqualTo(45);
    }
}
