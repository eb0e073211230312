#!/usr/bin/python3
"""Independent reference for the BLADES-J face manipulations (org.blades.data.manip, the paper's Fig. 2).

Run from the project root with Debian's interpreter and packages (python3-numpy, python3-scipy, python3-opencv):

    /usr/bin/python3 reference-data/manip/generate_manip.py          # write manip.safetensors
    /usr/bin/python3 reference-data/manip/generate_manip.py --check  # regenerate in memory, compare byte-for-byte

Everything here is written from the documented algorithm (README.md beside this file), not from the Java code,
and uses other building blocks: cv2.flip for the flips, cv2.GaussianBlur (BORDER_REFLECT_101) for the feather,
numpy.linalg.solve for the per-triangle affine maps and barycentric inside-tests for the triangle lookup, and
scipy.ndimage.map_coordinates (order 1, mode 'nearest') for bilinear sampling. All parameters are FIXED here
(no sampler): the Java tests pass the same parameters to the Java code and compare the pixels.

Coordinates: (x, y) = (column, row) in pixels, pixel centres at integers. Images are float32 (3, H, W) in [0, 1].
Boxes are half-open [x0, x1) x [y0, y1), stored as int64 [x0, y0, x1, y1].

Tensors (case NAME, see README.md):
    face.in.image (3, 64, 64) F32, face.in.landmarks68 (68, 2) F64, face.in.landmarks5 (5, 2) F64
    regions_68pt / regions_5pt / regions_ffhq224: in.landmarks, out.left_eye/right_eye/mouth/nose (I64 (4,))
    eye_hflip_left, eye_hflip_right, mouth_hflip, mouth_vflip, mouth_rot180, nose_flip: out.image, out.mask
        (mouth_vflip also out.flipped: the image after the flip, before blending)
    mask_edge: out.mask for a box touching the image border (exercises the reflect-101 border)
    warp, warp_strong: in.offsets (5, 5, 2) F64, out.image
"""

import math
import os
import sys

import cv2
import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # st_writer.py, the shared safetensors writer, is in reference-data/
import st_writer  # noqa: E402
from st_writer import meta_json  # noqa: E402

TARGET = os.path.join(HERE, "manip.safetensors")

SIZE = 64  # H = W of the synthetic test face

# Region rules (README.md "Regions"): margins relative to the region's reference length.
EYE_MARGIN = 0.5         # x eye width (corner to corner), on every side of the corners' bounding box
MOUTH_MARGIN = 1.0 / 3.0  # x mouth width (corner to corner)
NOSE_MARGIN = 0.25       # x inter-ocular distance, around the box of nose point and eye-centre midpoint
EYE_WIDTH_5PT = 0.40     # 5-point layouts: eye width as a fraction of the inter-ocular distance
FEATHER = 1.0 / 8.0      # feather sigma = FEATHER x the region box's shorter side
GRID = 5                 # warp control points per side

# FFHQ / CelebA-HQ aligned-crop landmarks at 512 px (facexlib FaceRestoreHelper face_template, used by GFPGAN):
# image-left eye, image-right eye, nose tip, image-left mouth corner, image-right mouth corner.
FFHQ_512 = np.array([[192.98138, 239.94708], [318.90277, 240.1936], [256.63416, 314.01935],
                     [201.26117, 371.41043], [313.08905, 371.15118]], dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Synthetic test face: 68 iBUG-layout landmarks placed procedurally, a face drawn around them
# ---------------------------------------------------------------------------------------------

def synthetic_landmarks(rng):
    """(68, 2) float64 landmarks of a slightly rolled face with FFHQ-like proportions at SIZE px."""
    s = SIZE / 64.0
    p = np.zeros((68, 2))
    # jaw 0..16: lower arc of an ellipse
    for i, t in enumerate(np.linspace(math.pi * 0.95, math.pi * 0.05, 17)):
        p[i] = (32 + 21 * math.cos(t), 34 + 24 * math.sin(t))
    p[0:17, 1] = np.maximum(p[0:17, 1], 26)
    # brows 17..21, 22..26
    for i in range(5):
        p[17 + i] = (18 + 3.2 * i, 25 - 1.2 * math.sin(math.pi * i / 4))
        p[22 + i] = (33.5 + 3.2 * i, 25 - 1.2 * math.sin(math.pi * i / 4))
    # nose bridge 27..30 (30 = tip), lower nose 31..35 (33 = centre of the nose base, the original's "nose")
    for i in range(4):
        p[27 + i] = (32, 30 + 2.6 * i)
    for i in range(5):
        p[31 + i] = (29 + 1.5 * i, 39.6 + 0.5 * (1 - abs(i - 2) / 2))
    # eyes: 36 outer, 37/38 upper lid, 39 inner, 40/41 lower lid (image-left eye); 42 inner .. 45 outer (image-right)
    for base, cx in ((36, 24.3), (42, 39.7)):
        # both eyes start at their image-left corner: 36 is the outer corner of one eye, 42 the inner of the other
        half = 3.2
        xs = [cx - half, cx - half / 3, cx + half / 3, cx + half, cx + half / 3, cx - half / 3]
        ys = [30.0, 28.6, 28.6, 30.0, 31.2, 31.2]
        for k in range(6):
            p[base + k] = (xs[k], ys[k])
    # mouth: outer 48..59 (48 left corner, 51 top centre, 54 right corner, 57 bottom centre), inner 60..67
    for k, t in enumerate(np.linspace(math.pi, -math.pi, 13)[:12]):
        p[48 + k] = (32 + 6.8 * math.cos(t), 46.4 - 2.4 * math.sin(t) * (1.0 if math.sin(t) > 0 else 1.3))
    for k, t in enumerate(np.linspace(math.pi, -math.pi, 9)[:8]):
        p[60 + k] = (32 + 5.0 * math.cos(t), 46.4 - 0.6 * math.sin(t))
    # an asymmetric smile (right corner up) and a small roll, so flips and boxes are not symmetric by accident
    p[54, 1] -= 1.0
    p[53, 1] -= 0.5
    p[64, 1] -= 0.8
    roll = math.radians(4.0)
    c, sn = math.cos(roll), math.sin(roll)
    centre = np.array([32.0, 34.0])
    p = (p - centre) @ np.array([[c, sn], [-sn, c]]) + centre
    p += rng.normal(0.0, 0.15, size=p.shape)
    return p * s


def five_from_68(p):
    """The original's five key points: eye centres = mean of corners 36/39 and 42/45, nose 33, mouth 48/54."""
    return np.array([(p[36] + p[39]) / 2, (p[42] + p[45]) / 2, p[33], p[48], p[54]])


def draw_face(p, rng):
    """float32 (3, H, W) in [0, 1], drawn in BGR uint8 at 4x sub-pixel precision, then noise."""
    shift = 4
    f = 1 << shift

    def pts(idx):
        return np.round(p[idx] * f).astype(np.int32).reshape(-1, 1, 2)

    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    img = np.zeros((SIZE, SIZE, 3), np.float64)
    img[..., 0] = 0.35 + 0.4 * xx / SIZE          # blue-ish left-to-right background ramp
    img[..., 1] = 0.45 + 0.2 * yy / SIZE
    img[..., 2] = 0.30
    img = (img * 255).astype(np.uint8)
    centre = (int(32 * f), int(33 * f))
    cv2.ellipse(img, centre, (int(22 * f), int(28 * f)), 4, 0, 360, (120, 150, 205), -1, cv2.LINE_AA, shift)
    for brow in (range(17, 22), range(22, 27)):
        cv2.polylines(img, [pts(list(brow))], False, (40, 50, 70), 2, cv2.LINE_AA, shift)
    for eye, iris_dx in ((range(36, 42), -1.2), (range(42, 48), 0.7)):
        idx = list(eye)
        cv2.fillPoly(img, [pts(idx)], (235, 240, 240), cv2.LINE_AA, shift)
        cx, cy = p[idx].mean(axis=0)
        cv2.circle(img, (int((cx + iris_dx) * f), int(cy * f)), int(1.6 * f), (60, 90, 40), -1, cv2.LINE_AA, shift)
        cv2.circle(img, (int((cx + iris_dx) * f), int(cy * f)), int(0.7 * f), (10, 10, 10), -1, cv2.LINE_AA, shift)
        cv2.polylines(img, [pts(idx[:4])], False, (30, 30, 40), 1, cv2.LINE_AA, shift)
    cv2.polylines(img, [pts([27, 28, 29, 30, 33])], False, (90, 110, 160), 1, cv2.LINE_AA, shift)
    cv2.circle(img, tuple(np.round(p[31] * f).astype(int)), int(1.1 * f), (60, 70, 110), -1, cv2.LINE_AA, shift)
    cv2.circle(img, tuple(np.round(p[35] * f).astype(int)), int(0.8 * f), (60, 70, 110), -1, cv2.LINE_AA, shift)
    cv2.fillPoly(img, [pts(list(range(48, 60)))], (80, 70, 190), cv2.LINE_AA, shift)
    cv2.polylines(img, [pts(list(range(60, 68)))], True, (40, 30, 90), 1, cv2.LINE_AA, shift)
    # moles break the left-right symmetry of the mouth and eye regions
    cv2.circle(img, tuple(np.round((p[54] + (1.5, 2.5)) * f).astype(int)), int(0.9 * f), (50, 60, 90), -1,
               cv2.LINE_AA, shift)
    cv2.circle(img, tuple(np.round((p[36] + (0.5, 2.8)) * f).astype(int)), int(0.8 * f), (50, 60, 90), -1,
               cv2.LINE_AA, shift)
    rgb = img[..., ::-1].astype(np.float64) / 255.0
    rgb = np.clip(rgb + rng.normal(0.0, 0.02, size=rgb.shape), 0.0, 1.0)
    return np.ascontiguousarray(rgb.transpose(2, 0, 1)).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# The documented algorithms
# ---------------------------------------------------------------------------------------------

def key_points(lm):
    """dict of key points from a (5, 2) or (68, 2) landmark array (README.md "Key points")."""
    if len(lm) == 68:
        return dict(eye_l=(lm[36] + lm[39]) / 2, eye_r=(lm[42] + lm[45]) / 2, nose=lm[33], mouth_l=lm[48],
                    mouth_r=lm[54], eye_l_corners=(lm[36], lm[39]), eye_r_corners=(lm[42], lm[45]))
    eye_l, eye_r, nose, mouth_l, mouth_r = lm
    d = eye_r - eye_l
    dist = math.sqrt(d[0] * d[0] + d[1] * d[1])
    half = 0.5 * EYE_WIDTH_5PT * dist
    u = d / dist
    return dict(eye_l=eye_l, eye_r=eye_r, nose=nose, mouth_l=mouth_l, mouth_r=mouth_r,
                eye_l_corners=(eye_l - half * u, eye_l + half * u), eye_r_corners=(eye_r - half * u, eye_r + half * u))


def dist(a, b):
    return math.sqrt((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2)


def box_around(points, margin, h, w):
    """Pixels whose centres lie in the points' bounding box grown by `margin`, clipped: int64 [x0, y0, x1, y1]."""
    xs = [q[0] for q in points]
    ys = [q[1] for q in points]
    x0 = max(0, math.ceil(min(xs) - margin))
    y0 = max(0, math.ceil(min(ys) - margin))
    x1 = min(w, math.floor(max(xs) + margin) + 1)
    y1 = min(h, math.floor(max(ys) + margin) + 1)
    return np.array([x0, y0, x1, y1], dtype=np.int64)


def regions(lm, h, w):
    k = key_points(lm)
    el = k["eye_l_corners"]
    er = k["eye_r_corners"]
    mouth = (k["mouth_l"], k["mouth_r"])
    mid = (k["eye_l"] + k["eye_r"]) / 2
    return {
        "left_eye": box_around(el, EYE_MARGIN * dist(*el), h, w),
        "right_eye": box_around(er, EYE_MARGIN * dist(*er), h, w),
        "mouth": box_around(mouth, MOUTH_MARGIN * dist(*mouth), h, w),
        "nose": box_around((k["nose"], mid), NOSE_MARGIN * dist(k["eye_l"], k["eye_r"]), h, w),
    }


def feather_sigma(box):
    return FEATHER * min(box[2] - box[0], box[3] - box[1])


def feather_radius(sigma):
    return math.ceil(4 * sigma)


def feather_mask(box, sigma, h, w):
    """Indicator of the box blurred by a Gaussian (kernel radius ceil(4 sigma), reflect-101 border): (H, W) float32."""
    r = feather_radius(sigma)
    ind = np.zeros((h, w), np.float32)
    ind[box[1]:box[3], box[0]:box[2]] = 1.0
    return cv2.GaussianBlur(ind, (2 * r + 1, 2 * r + 1), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)


def flip_box(box, r, h, w):
    """The box grown by r on each side, the growth cut equally on both sides of an axis at the image border."""
    x0, y0, x1, y1 = (int(v) for v in box)
    px = min(r, x0, w - x1)
    py = min(r, y0, h - y1)
    return np.array([x0 - px, y0 - py, x1 + px, y1 + py], dtype=np.int64)


FLIP_CODES = {"horizontal": 1, "vertical": 0, "both": -1}


def flip_and_blend(image, box, axis, strength):
    """Returns (blended (3, H, W), mask (H, W), flipped (3, H, W), meta)."""
    _, h, w = image.shape
    sigma = feather_sigma(box)
    r = feather_radius(sigma)
    fb = flip_box(box, r, h, w)
    hwc = np.ascontiguousarray(image.transpose(1, 2, 0))
    flipped = hwc.copy()
    flipped[fb[1]:fb[3], fb[0]:fb[2]] = cv2.flip(np.ascontiguousarray(hwc[fb[1]:fb[3], fb[0]:fb[2]]),
                                                 FLIP_CODES[axis])
    mask = feather_mask(box, sigma, h, w)
    a = (strength * mask.astype(np.float64))[..., None]
    out = a * flipped.astype(np.float64) + (1 - a) * hwc.astype(np.float64)
    meta = {"axis": axis, "strength": strength, "box": [int(v) for v in box], "flip_box": [int(v) for v in fb],
            "sigma": sigma, "radius": r}
    return (np.ascontiguousarray(out.transpose(2, 0, 1)).astype(np.float32), mask,
            np.ascontiguousarray(flipped.transpose(2, 0, 1)).astype(np.float32), meta)


def piecewise_affine(image, offsets):
    """Output pixel p in a triangle of the regular grid samples the input at the triangle's affine image of p.

    offsets: (G, G, 2) displacements of the control points as fractions of (W, H); row i, column j.
    """
    _, h, w = image.shape
    g = offsets.shape[0]
    gx = np.linspace(0.0, w - 1.0, g)
    gy = np.linspace(0.0, h - 1.0, g)
    src = np.stack(np.meshgrid(gx, gy), axis=-1)                       # (G, G, 2) as (x, y), [row i, col j]
    dst = src + offsets * np.array([w, h], dtype=np.float64)
    triangles = []
    for i in range(g - 1):
        for j in range(g - 1):
            triangles.append(((i, j), (i, j + 1), (i + 1, j + 1)))
            triangles.append(((i, j), (i + 1, j + 1), (i + 1, j)))
    yy, xx = np.mgrid[0:h, 0:w]
    pix = np.stack([xx.ravel(), yy.ravel(), np.ones(h * w)], axis=1).astype(np.float64)   # (H*W, 3)
    sample = np.full((h * w, 2), np.nan)
    for tri in triangles:
        s = np.array([[src[v][0], src[v][1], 1.0] for v in tri])           # (3, 3) rows [x y 1]
        d = np.array([dst[v] for v in tri])                                # (3, 2)
        affine = np.linalg.solve(s, d)                                     # [x y 1] @ affine = [x' y']
        lam = np.linalg.solve(s.T, pix.T).T                                # barycentric coordinates (H*W, 3)
        inside = np.all(lam >= -1e-9, axis=1) & np.isnan(sample[:, 0])
        sample[inside] = pix[inside] @ affine
    assert not np.isnan(sample).any(), "a pixel lies in no triangle"
    sx = sample[:, 0].reshape(h, w)
    sy = sample[:, 1].reshape(h, w)
    out = np.stack([ndimage.map_coordinates(image[c].astype(np.float64), [sy, sx], order=1, mode="nearest")
                    for c in range(3)])
    return out.astype(np.float32)


def interior_offsets(rng, scale):
    off = np.zeros((GRID, GRID, 2))
    off[1:-1, 1:-1] = rng.normal(0.0, scale, size=(GRID - 2, GRID - 2, 2))
    return off


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

def build():
    rng = np.random.default_rng(20240607)
    tensors = {}
    metadata = {}
    lm68 = synthetic_landmarks(rng)
    lm5 = five_from_68(lm68)
    image = draw_face(lm68, rng)
    tensors["face.in.image"] = image
    tensors["face.in.landmarks68"] = lm68
    tensors["face.in.landmarks5"] = lm5
    metadata["face"] = meta_json({"height": SIZE, "width": SIZE, "note": "synthetic face, drawn procedurally"})

    common = {"eye_margin": EYE_MARGIN, "mouth_margin": MOUTH_MARGIN, "nose_margin": NOSE_MARGIN,
              "eye_width_5pt": EYE_WIDTH_5PT}
    regions68 = regions(lm68, SIZE, SIZE)
    ffhq224 = FFHQ_512 * (224 / 512.0)
    for name, lm, h in (("regions_68pt", lm68, SIZE), ("regions_5pt", lm5, SIZE), ("regions_ffhq224", ffhq224, 224)):
        tensors[name + ".in.landmarks"] = lm
        for region, box in regions(lm, h, h).items():
            tensors[name + ".out." + region] = box
        metadata[name] = meta_json(dict(common, height=h, width=h))

    flips = (("eye_hflip_left", "left_eye", "horizontal", 1.0),
             ("eye_hflip_right", "right_eye", "horizontal", 1.0),
             ("mouth_hflip", "mouth", "horizontal", 1.0),
             ("mouth_vflip", "mouth", "vertical", 1.0),
             ("mouth_rot180", "mouth", "both", 0.75),
             ("nose_flip", "nose", "both", 1.0))
    for name, region, axis, strength in flips:
        out, mask, flipped, meta = flip_and_blend(image, regions68[region], axis, strength)
        tensors[name + ".out.image"] = out
        tensors[name + ".out.mask"] = mask
        if name == "mouth_vflip":
            tensors[name + ".out.flipped"] = flipped
        metadata[name] = meta_json(dict(meta, region=region, image="face.in.image", regions="regions_68pt",
                                        feather=FEATHER))

    edge_box = np.array([0, 50, 10, SIZE], dtype=np.int64)
    tensors["mask_edge.out.mask"] = feather_mask(edge_box, 2.5, SIZE, SIZE)
    metadata["mask_edge"] = meta_json({"box": [int(v) for v in edge_box], "sigma": 2.5, "radius": feather_radius(2.5),
                                       "height": SIZE, "width": SIZE})

    for name, scale in (("warp", 0.045), ("warp_strong", 0.2)):
        off = interior_offsets(rng, scale)
        tensors[name + ".in.offsets"] = off
        tensors[name + ".out.image"] = piecewise_affine(image, off)
        metadata[name] = meta_json({"grid": GRID, "scale": scale, "image": "face.in.image"})
    return st_writer.serialize(tensors, metadata)


if __name__ == "__main__":
    sys.exit(st_writer.run_cli(__doc__, lambda: {TARGET: build()}))
