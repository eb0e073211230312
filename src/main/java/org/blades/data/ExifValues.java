package org.blades.data;

/**
 * The raw EXIF readings BLADES learns from, exactly as the file states them (no validity filtering: that is
 * {@link ExifLabeler}'s job); {@code null} means the tag is absent or unreadable.
 *
 * <p>Units and sources, all EXIF (IFD0 / Exif sub-IFD, never maker notes):
 * <ul>
 *   <li>{@code iso}: ISOSpeedRatings 0x8827 (first value when the tag holds several)</li>
 *   <li>{@code aperture}: f-number; FNumber 0x829D, else ApertureValue 0x9202 converted from APEX as 2^(Av/2)</li>
 *   <li>{@code exposureTime}: seconds, ExposureTime 0x829A</li>
 *   <li>{@code focalLength}: millimetres, FocalLength 0x920A (not the 35 mm equivalent)</li>
 *   <li>{@code make}: Make 0x010F, trimmed</li>
 *   <li>{@code meteringMode} 0x9207, {@code exposureMode} 0xA402, {@code whiteBalance} 0xA403,
 *       {@code exposureProgram} 0x8822: the numeric codes of the EXIF 2.32 specification</li>
 *   <li>{@code orientation}: IFD0 Orientation 0x0112 (1..8), used by the decoder, not a learning target</li>
 * </ul>
 */
public record ExifValues(Double iso, Double aperture, Double exposureTime, Double focalLength, String make,
        Integer meteringMode, Integer exposureMode, Integer whiteBalance, Integer exposureProgram, Integer orientation) {

    /** A file without EXIF. */
    public static final ExifValues NONE = new ExifValues(null, null, null, null, null, null, null, null, null, null);

    /** The raw value of an ordinal tag (ISO, aperture, exposure time, focal length), or null. */
    public Double ordinal(ExifTag tag) {
        return switch (tag) {
            case ISO -> iso;
            case APERTURE -> aperture;
            case EXPOSURE_TIME -> exposureTime;
            case FOCAL_LENGTH -> focalLength;
            default -> throw new IllegalArgumentException("ExifValues.ordinal: " + tag + " is not an ordinal tag");
        };
    }

    /** The raw value of any of the nine tags: a Double, a String (make) or an Integer code; null when missing. */
    public Object raw(ExifTag tag) {
        return switch (tag) {
            case ISO, APERTURE, EXPOSURE_TIME, FOCAL_LENGTH -> ordinal(tag);
            case MAKE -> make;
            case METERING_MODE -> meteringMode;
            case EXPOSURE_MODE -> exposureMode;
            case WHITE_BALANCE -> whiteBalance;
            case EXPOSURE_PROGRAM -> exposureProgram;
        };
    }
}
