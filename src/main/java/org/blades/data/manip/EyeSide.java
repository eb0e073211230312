package org.blades.data.manip;

/** Which eye a horizontal eye flip mirrors, by image side (the image-left eye is the subject's right eye). */
public enum EyeSide {
    LEFT, RIGHT
}
