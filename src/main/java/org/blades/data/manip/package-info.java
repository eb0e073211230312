/**
 * Artificial face manipulations for the self-supervised manipulation tasks (the paper's Fig. 2 and Tasks 1 and 4).
 *
 * <p>Dimension legend for the whole package: C = 3 colour channels (R, G, B), H/W = image height/width in pixels,
 * G = warp control points per side, N = landmark count (5 or 68).
 *
 * <p>Conventions: images are float32 (C, H, W) in [0, 1] ({@link org.blades.data.RgbImage}, the decoder's output);
 * nothing here writes into an image it was given, every manipulation returns a new one. Points are (x, y) =
 * (column, row) in pixels with pixel centres at integer coordinates; boxes are half-open {@code [x0, x1) x [y0, y1)}
 * ({@link org.blades.data.manip.PixelBox}).
 *
 * <p>Pipeline: landmarks ({@link org.blades.data.manip.FaceLandmarks}, 5- or 68-point, or
 * {@link org.blades.data.manip.CanonicalLandmarks#ffhq(int)} for aligned crops) give eye, mouth and nose boxes
 * ({@link org.blades.data.manip.FaceRegions}); {@link org.blades.data.manip.ManipulationSampler} turns (seed, sample
 * index) into one {@link org.blades.data.manip.Manipulation} with all its random parameters;
 * {@link org.blades.data.manip.FaceManipulator} applies it and attaches the coarse and fine labels.
 *
 * <p>Sources: the paper names the four manipulations of Fig. 2 (horizontal eye flip, horizontal mouth flip, vertical
 * mouth flip, global affine transformation) and the fine regions eye, mouth, nose. Region sizes, the padded flip,
 * the feathered blend, the nose flip and the warp scale 0.04-0.05 follow the facts recorded from the authors' code
 * (shared/paper/ORIGINAL-CODE-FACTS.md); where we deviate, the class that does it says so and why. An independent
 * numpy/scipy/OpenCV implementation (reference-data/manip/generate_manip.py) pins the pixels.
 */
package org.blades.data.manip;
