package org.blades.data.loader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.blades.data.ExifLabels;
import org.blades.data.FaceAnnotation;
import org.blades.data.ImageBytes;
import org.blades.data.ImageDecoder;
import org.blades.data.ImageFileException;
import org.blades.data.ImageIndex;
import org.blades.data.IndexEntry;
import org.blades.data.Preprocess;
import org.blades.data.RgbImage;
import org.blades.data.manip.CanonicalLandmarks;
import org.blades.data.manip.FaceLandmarks;
import org.blades.data.manip.FaceManipulator;
import org.blades.data.manip.FaceRegions;
import org.blades.data.manip.Manipulation;
import org.blades.data.manip.ManipulationParams;
import org.blades.data.manip.ManipulationSampler;

// N = images in the dataset, H/W = model input height/width, P = landmark points

/**
 * The training samples of an {@link ImageIndex}: its readable images (the index's unreadable entries are left
 * out), each turned into a {@link Sample} by
 * <ol>
 *   <li>decoding (EXIF orientation applied) and, when the entry has a face box ({@link SampleOptions#faceBox()}),
 *       cropping to the box grown x {@link SampleOptions#boxScale()} ({@link FaceCrop}, the authors' crop); an
 *       entry without a usable box is used whole, as the evaluation protocol uses test images;</li>
 *   <li>resizing to the input size (antialiased bilinear, the aspect ratio not kept, as {@link Preprocess});</li>
 *   <li>the manipulation {@link ManipulationSampler} draws for (manipulation seed, dataset index), on regions
 *       from the entry's landmarks mapped into the crop or the canonical layout
 *       ({@link SampleOptions#landmarks()});</li>
 *   <li>CLIP normalisation.</li>
 * </ol>
 * The EXIF targets come from the index (its cut points and label options). A sample depends only on the entry,
 * the options and the manipulation seed: never on the thread, the order or what was loaded before, which is what
 * makes the {@link DataLoader}'s batches identical for any number of workers.
 *
 * <p>Thread-safe: workers call {@link #load} concurrently. Files whose bytes fail to decode (truncated, corrupt,
 * unsupported, too large) are remembered, since decoding is a pure function of the bytes and the answer cannot
 * change, and fail at once the next time ({@link #unusable()}); a failed read (I/O error) is tried again.
 */
public final class FaceDataset {

    private final Path root;
    private final SampleOptions options;
    private final List<IndexEntry.Image> images;
    private final List<ExifLabels> labels;      // (N)
    private final FaceManipulator manipulator;
    private final FaceRegions canonical;        // regions of the FFHQ template at the input size
    private final Map<Integer, ImageFileException> unusable = new ConcurrentHashMap<>();

    /**
     * @param index   the index (its header supplies the cut points and label options)
     * @param root    the folder the index's paths are relative to
     * @param options how samples are made
     */
    public FaceDataset(ImageIndex index, Path root, SampleOptions options) {
        if (index == null || root == null || options == null) {
            throw new IllegalArgumentException("FaceDataset: index, root and options must not be null");
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("FaceDataset: image root " + root + " is not a directory");
        }
        this.root = root;
        this.options = options;
        this.images = List.copyOf(index.images());
        if (images.isEmpty()) {
            throw new IllegalArgumentException("FaceDataset: the index of " + index.header().root() + " lists no "
                    + "readable image (" + index.entries().size() + " entries, all unreadable)");
        }
        List<ExifLabels> l = new ArrayList<>(images.size());
        for (IndexEntry.Image image : images) {
            l.add(index.labels(image));
        }
        this.labels = List.copyOf(l);
        this.manipulator = new FaceManipulator(options.manipulation());
        int h = options.input().height();
        int w = options.input().width();
        try {
            this.canonical = FaceRegions.from(canonicalLandmarks(h, w), h, w, options.manipulation().regions());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("FaceDataset: the input size " + h + "x" + w + " is too small for the "
                    + "manipulation regions: " + e.getMessage(), e);
        }
    }

    /** N. */
    public int size() {
        return images.size();
    }

    public SampleOptions options() {
        return options;
    }

    public Path root() {
        return root;
    }

    public IndexEntry.Image entry(int index) {
        return images.get(checkIndex(index));
    }

    public ExifLabels labels(int index) {
        return labels.get(checkIndex(index));
    }

    /**
     * The files whose bytes were found undecodable so far, by path, with the error (the index lists them as
     * readable, so they changed or broke after indexing, or the decode options are stricter than the index's).
     */
    public Map<String, String> unusable() {
        Map<String, String> out = new TreeMap<>();
        unusable.forEach((i, e) -> out.put(images.get(i).path(), e.getMessage()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Counts of the entries with a usable face box and with usable (5- or 68-point) landmarks under the options,
     * for the run's log.
     */
    public String describe() {
        int boxes = 0;
        int marks = 0;
        for (IndexEntry.Image e : images) {
            boxes += box(e.face()) != null ? 1 : 0;
            marks += landmarkField(e.face()) != null ? 1 : 0;
        }
        return String.format(Locale.ROOT, "%d images (%d cropped to a face box x %.2f, %d whole); landmarks: "
                        + "%d entries with 5- or 68-point landmarks, regions %s; input %dx%d", images.size(), boxes,
                options.boxScale(), images.size() - boxes, marks, options.landmarks(), options.input().height(),
                options.input().width());
    }

    /**
     * Sample {@code index} under the manipulation seed of its stream and epoch ({@link BatchPlan#manipulationSeed()}).
     *
     * @throws ImageFileException when the file cannot be read or decoded
     */
    public Sample load(int index, long manipulationSeed) throws ImageFileException {
        IndexEntry.Image entry = entry(index);
        ImageFileException known = unusable.get(index);
        if (known != null) {
            throw known;
        }
        try {
            return make(index, entry, manipulationSeed);
        } catch (ImageFileException e) {
            // Only what the bytes say is final; an I/O error (UNREADABLE) may pass, so the file is tried again.
            if (e.reason() != ImageFileException.Reason.UNREADABLE) {
                unusable.putIfAbsent(index, e);
            }
            throw e;
        }
    }

    private Sample make(int index, IndexEntry.Image entry, long manipulationSeed) throws ImageFileException {
        int h = options.input().height();
        int w = options.input().width();
        ImageBytes bytes = ImageBytes.read(root.resolve(entry.path()));
        double[] box = box(entry.face());
        RgbImage image;
        FaceCrop crop = null;
        FaceCrop frame; // the source rectangle the input shows, for mapping landmarks
        if (box == null) {
            image = ImageDecoder.decodeResized(bytes, h, w, options.input().decode());
            frame = new FaceCrop(0, 0, entry.width(), entry.height());
        } else {
            RgbImage full = ImageDecoder.decode(bytes, options.input().decode());
            double sx = options.faceBox() == SampleOptions.FaceBox.BOUNDING_BOX ? full.width() : 1.0;
            double sy = options.faceBox() == SampleOptions.FaceBox.BOUNDING_BOX ? full.height() : 1.0;
            crop = FaceCrop.around(box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy, full.width(), full.height(),
                    options.boxScale());
            frame = crop != null ? crop : new FaceCrop(0, 0, full.width(), full.height());
            image = (crop != null ? crop.apply(full) : full).resize(h, w);
        }

        Sample.RegionSource source = Sample.RegionSource.CANONICAL;
        FaceRegions regions = canonical;
        if (options.landmarks() != SampleOptions.LandmarkSource.CANONICAL) {
            FaceRegions fromEntry = entryRegions(entry, frame);
            if (fromEntry != null) {
                regions = fromEntry;
                source = Sample.RegionSource.ENTRY;
            } else if (options.landmarks() == SampleOptions.LandmarkSource.ENTRY) {
                source = Sample.RegionSource.NONE;
            }
        }

        ManipulationParams drawn = new ManipulationSampler(manipulationSeed, options.manipulation()).sample(index);
        ManipulationParams applied = drawn;
        if (source == Sample.RegionSource.NONE && needsRegions(drawn.kind())) {
            applied = new ManipulationParams(drawn.index(), Manipulation.GLOBAL_WARP, drawn.eye(),
                    drawn.blendStrength(), drawn.warp());
        }
        // With no regions of its own the sample never reaches a flip (see above); the canonical regions only fill
        // the argument for the kinds that ignore it.
        RgbImage manipulated = manipulator.apply(image, regions, applied).image();
        return new Sample(index, entry.path(), Preprocess.normalize(manipulated), labels.get(index), drawn, applied,
                source, crop);
    }

    private static boolean needsRegions(Manipulation kind) {
        return kind != Manipulation.NONE && kind != Manipulation.GLOBAL_WARP;
    }

    /**
     * The regions of the entry's own landmarks in the input, or null when it has none in 5- or 68-point layout or
     * they give no valid regions (a landmark outside the crop, a region below the minimum size).
     */
    private FaceRegions entryRegions(IndexEntry.Image entry, FaceCrop frame) {
        List<List<Double>> points = landmarkField(entry.face());
        if (points == null) {
            return null;
        }
        boolean relative = options.faceBox() != SampleOptions.FaceBox.ORIGINAL_BOUNDING_BOX;
        // Relative landmarks are fractions of the decoded image, whose size the entry records (as displayed).
        double sx = relative ? entry.width() : 1.0;
        double sy = relative ? entry.height() : 1.0;
        double[] xy = new double[2 * points.size()]; // (P, 2)
        for (int i = 0; i < points.size(); i++) {
            xy[2 * i] = points.get(i).get(0) * sx;
            xy[2 * i + 1] = points.get(i).get(1) * sy;
        }
        int h = options.input().height();
        int w = options.input().width();
        try {
            return FaceRegions.from(frame.map(FaceLandmarks.of(xy), h, w), h, w, options.manipulation().regions());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The face box field selected by the options, or null when absent or when the options say whole image. */
    private double[] box(FaceAnnotation face) {
        if (face == null) {
            return null;
        }
        List<Double> b = switch (options.faceBox()) {
            case BOUNDING_BOX -> face.boundingBox();
            case ORIGINAL_BOUNDING_BOX -> face.originalBoundingBox();
            case WHOLE_IMAGE -> null;
        };
        return b == null ? null : new double[] {b.get(0), b.get(1), b.get(2), b.get(3)};
    }

    /**
     * The landmark field that goes with the selected box (relative {@code landmark} or pixel
     * {@code original_landmark}; {@code landmark} for whole images), or null unless it has 5 or 68 points.
     */
    private List<List<Double>> landmarkField(FaceAnnotation face) {
        if (face == null) {
            return null;
        }
        List<List<Double>> p = options.faceBox() == SampleOptions.FaceBox.ORIGINAL_BOUNDING_BOX
                ? face.originalLandmark() : face.landmark();
        if (p == null) {
            return null;
        }
        for (FaceLandmarks.Layout layout : FaceLandmarks.Layout.values()) {
            if (p.size() == layout.count()) {
                return p;
            }
        }
        return null;
    }

    /** The FFHQ 5-point template stretched to H x W (the template is square; inputs need not be). */
    static FaceLandmarks canonicalLandmarks(int height, int width) {
        double s = CanonicalLandmarks.FFHQ_TEMPLATE_SIZE;
        return CanonicalLandmarks.ffhq(CanonicalLandmarks.FFHQ_TEMPLATE_SIZE).mapped(width / s, height / s, 0, 0);
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= images.size()) {
            throw new IndexOutOfBoundsException("FaceDataset: index " + index + " is outside [0, " + images.size()
                    + ")");
        }
        return index;
    }
}
