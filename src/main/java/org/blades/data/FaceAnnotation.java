package org.blades.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blades.io.Json;

// P = landmark points (7 in FDF: nose, r_eye, l_eye, r_ear, l_ear, r_shoulder, l_shoulder)

/**
 * The face annotation of one image from an FDF-style side file (the metainfo JSON of the Flickr Diverse Faces
 * data set): {@code {"<image id>": {"bounding_box": [x0, y0, x1, y1], "landmark": [[x, y], ...], 
 * "original_bounding_box": [...], "original_landmark": [[x, y], ...], ...}, ...}}. FDF gives bounding_box and
 * landmark relative to its crop (0-1) and the original_* fields in pixels of the original photograph; this record
 * keeps whichever of the four are present, unchanged. Other fields (author, license...) are ignored.
 *
 * @param boundingBox         (4,) or null
 * @param landmark            (P, 2) or null
 * @param originalBoundingBox (4,) or null
 * @param originalLandmark    (P, 2) or null
 */
public record FaceAnnotation(List<Double> boundingBox, List<List<Double>> landmark, List<Double> originalBoundingBox,
        List<List<Double>> originalLandmark) {

    private static final List<String> FIELDS = List.of("bounding_box", "landmark", "original_bounding_box",
            "original_landmark");

    public FaceAnnotation {
        boundingBox = boundingBox == null ? null : List.copyOf(boundingBox);
        originalBoundingBox = originalBoundingBox == null ? null : List.copyOf(originalBoundingBox);
        landmark = landmark == null ? null : landmark.stream().map(List::copyOf).toList();
        originalLandmark = originalLandmark == null ? null : originalLandmark.stream().map(List::copyOf).toList();
    }

    /** Reads a side file: a JSON object from image id to annotation. Any malformed entry fails the whole file. */
    public static Map<String, FaceAnnotation> readSideFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Map<String, Object> root = Json.parseObject(text, file.toString());
        Map<String, FaceAnnotation> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : root.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(file + ": entry '" + e.getKey() + "' is not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) m;
            out.put(e.getKey(), fromJson(entry, file + ": entry '" + e.getKey() + "'"));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The annotation fields of one JSON entry; {@code where} names it in errors. */
    public static FaceAnnotation fromJson(Map<String, Object> entry, String where) {
        return new FaceAnnotation(box(entry.get("bounding_box"), where + ".bounding_box"),
                points(entry.get("landmark"), where + ".landmark"),
                box(entry.get("original_bounding_box"), where + ".original_bounding_box"),
                points(entry.get("original_landmark"), where + ".original_landmark"));
    }

    /** The present fields, in FDF's names. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        Object[] values = {boundingBox, landmark, originalBoundingBox, originalLandmark};
        for (int i = 0; i < FIELDS.size(); i++) {
            if (values[i] != null) {
                m.put(FIELDS.get(i), values[i]);
            }
        }
        return m;
    }

    public boolean isEmpty() {
        return boundingBox == null && landmark == null && originalBoundingBox == null && originalLandmark == null;
    }

    private static List<Double> box(Object v, String where) {
        if (v == null) {
            return null;
        }
        List<Double> b = numbers(v, where);
        if (b.size() != 4) {
            throw new IllegalArgumentException(where + ": expected [x0, y0, x1, y1], got " + b.size() + " numbers");
        }
        return b;
    }

    private static List<List<Double>> points(Object v, String where) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(where + ": expected a list of [x, y] points");
        }
        List<List<Double>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            List<Double> p = numbers(list.get(i), where + "[" + i + "]");
            if (p.size() != 2) {
                throw new IllegalArgumentException(where + "[" + i + "]: expected [x, y], got " + p.size() + " numbers");
            }
            out.add(p);
        }
        return out;
    }

    private static List<Double> numbers(Object v, String where) {
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(where + ": expected a list of numbers");
        }
        List<Double> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException(where + ": " + o + " is not a finite number");
            }
            out.add(n.doubleValue());
        }
        return out;
    }
}
