/**
 * The training data loader: an {@link org.blades.data.ImageIndex} in, batches of (images, labels, masks) out.
 *
 * <p>Dimension legend for the package: B = batch, N = images in the dataset, T = 9 EXIF tags (ExifTag order),
 * M = 3 fine regions (mouth, eye, nose), H/W = model input height/width (224 by default), P = prefetched batches.
 *
 * <p>Pipeline: {@link org.blades.data.loader.BatchSampler} shuffles the N images per epoch and cuts the order into
 * {@link org.blades.data.loader.BatchPlan}s; the {@link org.blades.data.loader.DataLoader}'s workers turn each row
 * into a {@link org.blades.data.loader.Sample} with {@link org.blades.data.loader.FaceDataset} (decode, face crop
 * x 1.3, resize, manipulation, CLIP normalisation) and write it into the batch's (B, 3, H, W) buffer; the trainer
 * receives a {@link org.blades.data.loader.Batch} with its {@link org.blades.data.loader.BatchLabels}.
 *
 * <p>Determinism: every random choice is drawn from a seed derived from (run seed, purpose, stream, epoch): the
 * epoch's order from the SHUFFLE seed, each sample's manipulation from the MANIPULATION seed and its dataset
 * index. Nothing depends on threads, scheduling or earlier batches, so batches are bit-identical for any number
 * of workers, and a run resumed from a saved {@link org.blades.data.loader.SamplerState} continues exactly.
 *
 * <p>Bi-level training uses two streams over the same dataset: {@link org.blades.data.loader.BatchSampler.Stream#INNER}
 * for the training step and {@link org.blades.data.loader.BatchSampler.Stream#OUTER} for the outer loss's second
 * batch; each has its own order, manipulations and state (checkpoint both). Two loaders can share one worker pool
 * ({@link org.blades.data.loader.DataLoader#newWorkerPool}).
 *
 * <p>Labels for the task losses: {@code BatchLabels.classIds(tag)} with {@code valid(tag)} are the categorical
 * classes and ordinal levels (class ids index the prompts of the tag's task), {@code rankValues(tag)} with
 * {@code rankValid(tag)} the values pairwise ranking compares, {@code coarse()} the coarse class and {@code fine()}
 * the (B, M) region targets.
 */
package org.blades.data.loader;
