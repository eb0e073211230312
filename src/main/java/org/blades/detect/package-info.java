/**
 * The two detectors of the paper's Sec. 3.3 on frozen 768-d image features: a one-class detector (a Gaussian
 * mixture of photographs' features with a false-alarm threshold) and a binary detector (a two-layer perceptron).
 *
 * <p>Dimension legend for the whole package: N = samples, D = feature dimensions (768 for BLADES), K = mixture
 * components (10), M = calibration photographs, B = minibatch, H = hidden units (1536), C = 2 classes.
 *
 * <p>One-class: {@link org.blades.detect.ExpectationMaximization} fits a {@link org.blades.detect.GaussianMixture}
 * by EM exactly as scikit-learn 1.2's GaussianMixture (full, diagonal or spherical covariances, k-means++ or
 * k-means initialisation, reg_covar, tol, max_iter, n_init; float64; Cholesky through EJML; the E- and M-step
 * products as blocked triangular float64 GEMMs); {@link org.blades.detect.OneClassDetector} calibrates the
 * threshold at a false-alarm quantile of photographs, decides with a score and an empirical p-value, and saves
 * itself as one safetensors file. Sources: the paper (10 components, 5 % false alarms, Sec. 4.1) and the authors'
 * code (scikit-learn's GaussianMixture(n_components=10, covariance_type='full', init_params='k-means++',
 * random_state=2024) on the first 25,000 CelebA training photographs; threshold sorted(ll)[int(0.05 N)]).
 *
 * <p>Binary: {@link org.blades.detect.PerceptronClassifier} (L2-normalise, 768 -> 1536 -> 2 with ReLU) trained by
 * {@link org.blades.detect.PerceptronTrainer} with Adam (lr 3e-4), batch 64, cross-entropy, low-likelihood
 * photographs as pseudo-outliers and early stopping (Sec. 4.1; the released code has no training for it).
 *
 * <p>Verification: reference-data/detect/generate_detect.py (scikit-learn 1.2.1, PyTorch 1.13) writes the EM
 * steps, seeded fits, Adam steps and perceptron steps the tests compare against; `blades bench gmm` times the
 * fit at the detector's size against a stored scikit-learn measurement.
 */
package org.blades.detect;
