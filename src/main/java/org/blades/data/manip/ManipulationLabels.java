package org.blades.data.manip;

/**
 * The targets of one sample for the manipulation tasks.
 *
 * @param manipulated coarse task (Task 1): "manipulated" rather than "photographic"
 * @param eye         fine task (Task 4): the eye region was manipulated
 * @param mouth       fine task: the mouth region was manipulated
 * @param nose        fine task: the nose region was manipulated
 */
public record ManipulationLabels(boolean manipulated, boolean eye, boolean mouth, boolean nose) {

    /** Coarse class index in the prompt order of the authors' code (prompts 45, 46): 0 photographic, 1 manipulated. */
    public int coarseClass() {
        return manipulated ? 1 : 0;
    }

    /** Fine targets in the prompt order of the authors' code (prompts 47-49): mouth, eye, nose; 1 = manipulated. */
    public float[] fineTargets() {
        return new float[] {mouth ? 1f : 0f, eye ? 1f : 0f, nose ? 1f : 0f};
    }
}
