package org.blades.detect;

/**
 * Shape of each component's covariance, named as scikit-learn's {@code covariance_type}.
 *
 * <p>Legend: K = components, D = feature dimensions. Parameter arrays per type:
 * FULL: covariances and precision Cholesky factors (K, D, D); DIAG: (K, D); SPHERICAL: (K).
 * ('tied', one covariance shared by all components, is not offered: the detector never uses it.)
 */
public enum CovarianceType {
    /** A full D x D covariance per component (the paper's detector). */
    FULL("full"),
    /** A diagonal covariance per component. */
    DIAG("diag"),
    /** One variance per component, the same in every direction. */
    SPHERICAL("spherical");

    private final String sklearnName;

    CovarianceType(String sklearnName) {
        this.sklearnName = sklearnName;
    }

    /** scikit-learn's name ("full", "diag", "spherical"), also used in detector files. */
    public String sklearnName() {
        return sklearnName;
    }

    /** The type with scikit-learn's name {@code name}. */
    public static CovarianceType fromSklearnName(String name) {
        for (CovarianceType t : values()) {
            if (t.sklearnName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("covariance type '" + name + "' is not one of full, diag, spherical");
    }

    /** Doubles of one component's covariance (or precision Cholesky factor) at dimension d. */
    int parameterSize(int d) {
        return switch (this) {
            case FULL -> d * d;
            case DIAG -> d;
            case SPHERICAL -> 1;
        };
    }
}
