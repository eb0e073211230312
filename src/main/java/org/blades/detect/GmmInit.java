package org.blades.detect;

/**
 * How EM's first responsibilities are chosen, as scikit-learn's {@code init_params}.
 *
 * <p>Both start from k-means++ seeding (Arthur and Vassilvitskii 2007, with scikit-learn's greedy
 * {@code 2 + floor(ln K)} local trials per centre); they differ in what is made of the seeds.
 */
public enum GmmInit {
    /**
     * scikit-learn's "k-means++", the authors' setting: responsibility 1 for each seed point and its
     * component, 0 elsewhere. Each component starts as a spike of variance regCovar at its seed,
     * with weight 1/N (scikit-learn does not renormalise initial weights; the first E-step's
     * normalisation makes that harmless).
     */
    KMEANS_PLUS_PLUS("k-means++"),
    /**
     * scikit-learn's "kmeans" (its default): Lloyd's k-means from the seeds (one run, at most 300
     * iterations, tolerance 1e-4 times the mean feature variance), then one-hot responsibilities
     * from the final labels.
     */
    KMEANS("kmeans");

    private final String sklearnName;

    GmmInit(String sklearnName) {
        this.sklearnName = sklearnName;
    }

    public String sklearnName() {
        return sklearnName;
    }
}
