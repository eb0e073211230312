#!/usr/bin/python3
"""Image fixtures and PyTorch/Pillow references for org.blades.data (decoding, resizing, normalisation).

Run from the project root with the interpreter that has torch, torchvision, Pillow and numpy:

    /usr/bin/python3 reference-data/images/generate.py          # write the fixtures and the two references
    /usr/bin/python3 reference-data/images/generate.py --check  # fixtures into a temporary folder, references in
                                                                # memory; compare both byte for byte, write nothing

It writes
  src/test/resources/images/*            small test images in every format the decoder must handle
  reference-data/images/decode.safetensors  NAME.rgb (3, H, W) float32 in [0, 1] for fixture NAME with '.' -> '_'
                                           (metadata NAME: {"fixture": file}): what Pillow decodes
                                           (convert("RGB") / 255; 16-bit files: the 16-bit samples / 65535,
                                           because Pillow truncates those to 8 bits); orient_N.rgb is Pillow's
                                           ImageOps.exif_transpose of the decoded file
  reference-data/images/resize.safetensors  NAME.in (3, H, W), NAME.out (3, OH, OW): torchvision
                                           F.resize(NAME.in, [OH, OW], bilinear, antialias=True);
                                           (metadata NAME: {"out": [OH, OW]}); pipeline_*: NAME.out only, the
                                           fixture in the metadata decoded by Pillow, resized, CLIP-normalised

Everything is seeded; reruns give identical files (Pillow, libjpeg and torch versions permitting: the
versions used are recorded in each file's __metadata__ under "versions"). The .safetensors bytes are written
by reference-data/st_writer.py.
"""

import argparse
import io
import json
import os
import struct
import sys
import tempfile

import numpy as np
import PIL
import torch
import torchvision
import torchvision.transforms.functional as TF
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "reference-data"))  # st_writer.py, the shared safetensors writer, is there
import st_writer  # noqa: E402
from st_writer import meta_json  # noqa: E402

FIXTURES = os.path.join(ROOT, "src", "test", "resources", "images")
REFS = os.path.join(ROOT, "reference-data", "images")

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

torch.set_num_threads(1)


def pattern(h, w, seed):
    """An asymmetric, mostly smooth RGB test pattern (uint8 (H, W, 3)): gradients plus a few hard edges."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / max(w - 1, 1)
    g = 255 * y / max(h - 1, 1)
    b = 128 + 100 * np.sin(x / 3.0) * np.cos(y / 5.0)
    img = np.stack([r, g, b], axis=-1)
    img[: h // 3, : w // 4] = [250, 20, 30]          # a red block in the top-left corner marks the orientation
    img += rng.normal(0, 4, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def to_chw(a):
    """(H, W, 3) array in [0, 1] -> (3, H, W) float32."""
    return np.ascontiguousarray(np.transpose(a, (2, 0, 1))).astype(np.float32)


def pil_rgb(path):
    with Image.open(path) as im:
        return to_chw(np.asarray(im.convert("RGB"), dtype=np.float64) / 255.0)


# ---------------------------------------------------------------------------------------------------------
# A minimal baseline JPEG encoder, for YCCK (Adobe transform 2), which neither Pillow nor OpenCV can write.
# ---------------------------------------------------------------------------------------------------------

ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
          14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
          53, 60, 61, 54, 47, 55, 62, 63]
# ITU T.81 Annex K.3: luminance DC and AC tables (bits per code length, then values).
DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
DC_VALS = list(range(12))
AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
AC_VALS = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14,
    0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09,
    0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65,
    0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9,
    0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA,
    0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA,
    0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA]
QUANT = 2  # flat quantiser: near-lossless, and every DC difference stays within the standard tables' 11 bits


def huff_codes(bits, vals):
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


class BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, code, length):
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((code >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)  # byte stuffing
                self.acc, self.n = 0, 0

    def flush(self):
        while self.n:
            self.put(1, 1)  # pad with ones
        return bytes(self.out)


def magnitude(v):
    """(category, bits) of a DC difference or AC coefficient."""
    a = abs(v)
    cat = int(a).bit_length()
    bits = v if v >= 0 else v + (1 << cat) - 1
    return cat, bits


def dct_matrix():
    c = np.zeros((8, 8))
    for u in range(8):
        for x in range(8):
            c[u, x] = (np.sqrt(1 / 8) if u == 0 else np.sqrt(2 / 8)) * np.cos((2 * x + 1) * u * np.pi / 16)
    return c


def encode_baseline(planes, adobe_transform):
    """planes: list of uint8 (H, W) component planes (H, W multiples of 8), all sampled 1x1."""
    h, w = planes[0].shape
    dc, ac = huff_codes(DC_BITS, DC_VALS), huff_codes(AC_BITS, AC_VALS)
    c = dct_matrix()
    bw = BitWriter()
    pred = [0] * len(planes)
    for by in range(0, h, 8):
        for bx in range(0, w, 8):
            for ci, p in enumerate(planes):
                block = p[by:by + 8, bx:bx + 8].astype(np.float64) - 128
                coef = np.rint((c @ block @ c.T) / QUANT).astype(int).flatten()[ZIGZAG]
                cat, bits = magnitude(coef[0] - pred[ci])
                pred[ci] = coef[0]
                bw.put(*dc[cat])
                if cat:
                    bw.put(bits, cat)
                run = 0
                for k in range(1, 64):
                    if coef[k] == 0:
                        run += 1
                        continue
                    while run > 15:
                        bw.put(*ac[0xF0])
                        run -= 16
                    cat, bits = magnitude(coef[k])
                    bw.put(*ac[(run << 4) | cat])
                    bw.put(bits, cat)
                    run = 0
                if run:
                    bw.put(*ac[0x00])
    data = bw.flush()

    def seg(marker, payload):
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    n = len(planes)
    out = b"\xFF\xD8"
    # Adobe APP14: version 100, flags 0, 0, transform (0 = CMYK/RGB, 1 = YCbCr, 2 = YCCK).
    out += seg(0xEE, b"Adobe" + struct.pack(">HHHB", 100, 0, 0, adobe_transform))
    out += seg(0xDB, bytes([0]) + bytes([QUANT] * 64))
    out += seg(0xC0, struct.pack(">BHHB", 8, h, w, n) + b"".join(bytes([i + 1, 0x11, 0]) for i in range(n)))
    out += seg(0xC4, bytes([0x00]) + bytes(DC_BITS) + bytes(DC_VALS))
    out += seg(0xC4, bytes([0x10]) + bytes(AC_BITS) + bytes(AC_VALS))
    out += seg(0xDA, bytes([n]) + b"".join(bytes([i + 1, 0x00]) for i in range(n)) + bytes([0, 63, 0]))
    return out + data + b"\xFF\xD9"


def rgb_to_ycc(r, g, b):
    """JFIF forward transform, as libjpeg's YCCK decoding inverts it."""
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    return [np.clip(np.rint(v), 0, 255).astype(np.uint8) for v in (y, cb, cr)]


# ---------------------------------------------------------------------------------------------------------

def exif_orientation(n):
    e = Image.Exif()
    e[0x0112] = n
    return e.tobytes()


def make_fixtures(folder):
    os.makedirs(folder, exist_ok=True)
    decode = {}
    rgb = pattern(21, 34, seed=1)                                   # (H, W, 3), odd sizes on purpose
    rgb_img = Image.fromarray(rgb, "RGB")

    def save(name, img, **kw):
        path = os.path.join(folder, name)
        img.save(path, **kw)
        return path

    # JPEG: baseline 4:2:0 and 4:4:4, progressive, grayscale.
    for name, kw in [("rgb_baseline.jpg", dict(quality=92)),
                     ("rgb_444.jpg", dict(quality=95, subsampling=0)),
                     ("rgb_progressive.jpg", dict(quality=92, progressive=True))]:
        decode[name] = pil_rgb(save(name, rgb_img, format="JPEG", **kw))
    gray = rgb_img.convert("L")
    decode["gray.jpg"] = pil_rgb(save("gray.jpg", gray, format="JPEG", quality=95))

    # CMYK (Adobe, as Pillow writes it) and YCCK (our encoder) of the same 24 x 32 CMYK content.
    cmyk = np.zeros((24, 32, 4), np.uint8)
    cmyk[:, :16, 0] = 230              # left half cyan
    cmyk[:12, 16:, 1] = 230            # top right magenta
    cmyk[12:, 16:, 2] = 230            # bottom right yellow
    cmyk[:, :, 3] = np.linspace(0, 60, 32).astype(np.uint8)[None, :]  # a little black, increasing to the right
    save("cmyk.jpg", Image.fromarray(cmyk, "CMYK"), format="JPEG", quality=95, subsampling=0)
    # Pillow stores Adobe CMYK inverted (0 = full ink); libjpeg's YCCK decoding yields C = 255 - R' etc. from the
    # YCbCr triple, so R' = c reproduces the same stored samples; K is stored inverted like the other channels.
    ycc = rgb_to_ycc(*(cmyk[..., i].astype(np.float64) for i in range(3)))
    with open(os.path.join(folder, "ycck.jpg"), "wb") as f:
        f.write(encode_baseline(ycc + [255 - cmyk[..., 3]], adobe_transform=2))
    with Image.open(os.path.join(folder, "ycck.jpg")) as a, Image.open(os.path.join(folder, "cmyk.jpg")) as b:
        diff = np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).max()
        assert a.mode == "CMYK" and diff <= 6, f"YCCK fixture does not match the CMYK one (mode {a.mode}, max diff {diff})"

    # PNG: 8-bit RGB, RGBA, gray, gray+alpha, palette, palette with transparency, 16-bit RGB and gray.
    rgba = np.dstack([rgb, np.linspace(0, 255, rgb.shape[1]).astype(np.uint8)[None, :].repeat(rgb.shape[0], 0)])
    for name, img in [("rgb8.png", rgb_img), ("rgba8.png", Image.fromarray(rgba, "RGBA")), ("gray8.png", gray),
                      ("graya8.png", Image.fromarray(rgba, "RGBA").convert("LA")),
                      ("palette.png", rgb_img.quantize(colors=16, method=Image.Quantize.MEDIANCUT))]:
        decode[name] = pil_rgb(save(name, img, format="PNG"))
    pal = rgb_img.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    decode["palette_trns.png"] = pil_rgb(save("palette_trns.png", pal, format="PNG", transparency=0))
    # 16-bit: Pillow writes mode "I;16" as 16-bit gray; 16-bit RGB goes through OpenCV-free raw PNG writing below.
    g16 = (np.asarray(gray, np.uint16) * 257 + np.arange(gray.width, dtype=np.uint16)[None, :]).astype(np.uint16)
    save("gray16.png", Image.fromarray(g16, "I;16"), format="PNG")
    decode["gray16.png"] = to_chw(np.repeat((g16.astype(np.float64) / 65535.0)[..., None], 3, axis=-1))
    rgb16 = rgb.astype(np.uint16) * 257 + np.arange(3, dtype=np.uint16)[None, None, :] * 7
    write_png16(os.path.join(folder, "rgb16.png"), rgb16)
    decode["rgb16.png"] = to_chw(rgb16.astype(np.float64) / 65535.0)

    # GIF (palette, first frame only).
    decode["palette.gif"] = pil_rgb(save("palette.gif", pal, format="GIF"))

    # BMP: 24-bit and 8-bit palette.
    decode["rgb24.bmp"] = pil_rgb(save("rgb24.bmp", rgb_img, format="BMP"))
    decode["palette8.bmp"] = pil_rgb(save("palette8.bmp", pal.convert("P"), format="BMP"))

    # EXIF orientation 1..8 on the same 4:4:4 JPEG pixels; the reference is Pillow's exif_transpose.
    base = pattern(10, 16, seed=2)
    for n in range(1, 9):
        path = save(f"orient_{n}.jpg", Image.fromarray(base, "RGB"), format="JPEG", quality=95, subsampling=0,
                    exif=exif_orientation(n))
        with Image.open(path) as im:
            decode[f"orient_{n}.jpg"] = to_chw(np.asarray(ImageOps.exif_transpose(im).convert("RGB"), np.float64) / 255)

    # Broken files: a JPEG and a PNG cut in the middle of their image data, and a text file named .jpg.
    with open(os.path.join(folder, "rgb_baseline.jpg"), "rb") as f:
        jpg = f.read()
    with open(os.path.join(folder, "truncated.jpg"), "wb") as f:
        f.write(jpg[: len(jpg) * 2 // 3])
    with open(os.path.join(folder, "rgb8.png"), "rb") as f:
        png = f.read()
    with open(os.path.join(folder, "truncated.png"), "wb") as f:
        f.write(png[: len(png) * 2 // 3])
    with open(os.path.join(folder, "not-an-image.jpg"), "wb") as f:
        f.write(b"this is a text file with a .jpg name\n")
    return decode


def write_png16(path, rgb16):
    """A 16-bit RGB PNG by hand (Pillow cannot write 16-bit RGB)."""
    import zlib
    h, w, _ = rgb16.shape
    raw = b"".join(b"\x00" + rgb16[y].astype(">u2").tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def resize_cases(fixtures):
    g = torch.Generator().manual_seed(20240601)
    cases, meta = {}, {}
    # (name, in (H, W), out (OH, OW)): downscale by non-integer factors, upscale, one axis only, extreme ratios.
    for name, (h, w), (oh, ow) in [
        ("down_odd", (37, 29), (11, 8)),
        ("down_to_model", (61, 47), (28, 28)),
        ("up", (7, 5), (19, 13)),
        ("mixed", (9, 40), (24, 15)),
        ("width_only", (12, 30), (12, 7)),
        ("height_only", (30, 12), (7, 12)),
        ("same", (6, 9), (6, 9)),
        ("to_one", (13, 11), (1, 1)),
        ("from_one", (1, 1), (3, 4)),
    ]:
        x = torch.rand(3, h, w, generator=g)
        y = TF.resize(x, [oh, ow], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
        cases[f"{name}.in"] = x.numpy()
        cases[f"{name}.out"] = y.numpy()
        meta[name] = meta_json({"out": [oh, ow]})
    # Whole preprocessing of lossless fixtures: Pillow decode -> [0, 1] -> resize -> CLIP normalisation.
    for name, fixture, (oh, ow) in [("pipeline_rgb8", "rgb8.png", (16, 16)), ("pipeline_palette", "palette.png", (9, 25)),
                                    ("pipeline_gray16", "gray16.png", (8, 12))]:
        path = os.path.join(fixtures, fixture)
        if fixture == "gray16.png":
            with Image.open(path) as im:
                a = np.asarray(im, np.float64) / 65535.0
            x = torch.from_numpy(np.repeat(a[None], 3, axis=0).astype(np.float32))
        else:
            x = torch.from_numpy(pil_rgb(path))
        y = TF.resize(x, [oh, ow], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
        cases[f"{name}.out"] = TF.normalize(y, CLIP_MEAN, CLIP_STD).numpy()
        meta[name] = meta_json({"fixture": fixture, "out": [oh, ow]})
    return cases, meta


def as_f32(arrays):
    """Every tensor of the image references is stored as F32."""
    return {name: np.asarray(a, dtype=np.float32) for name, a in arrays.items()}


def build(fixtures):
    """Write the fixtures into the folder fixtures; returns {path: bytes} of the two reference files."""
    # Not meta_json: this value was first written with json's default ", " and ": " separators.
    versions = json.dumps({"pillow": PIL.__version__, "torch": torch.__version__,
                           "torchvision": torchvision.__version__, "numpy": np.__version__}, sort_keys=True)
    decode = make_fixtures(fixtures)
    # Case names hold no '.': rgb_baseline.jpg -> case rgb_baseline_jpg, tensor rgb_baseline_jpg.rgb.
    cases = {k.replace(".", "_"): (k, v) for k, v in decode.items()}
    meta = {c: meta_json({"fixture": k}) for c, (k, _) in cases.items()}
    meta["versions"] = versions
    resize, resize_meta = resize_cases(fixtures)
    resize_meta["versions"] = versions
    decode_tensors = {f"{c}.rgb": v for c, (_, v) in cases.items()}
    return {os.path.join(REFS, "decode.safetensors"): st_writer.serialize(as_f32(decode_tensors), meta),
            os.path.join(REFS, "resize.safetensors"): st_writer.serialize(as_f32(resize), resize_meta)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate fixtures (in a temporary folder) and references, compare with the stored ones")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            stale = st_writer.write_or_check(build(tmp), check=True) + st_writer.check_tree(FIXTURES, tmp)
        return 1 if stale else 0
    os.makedirs(FIXTURES, exist_ok=True)
    st_writer.write_or_check(build(FIXTURES), check=False)
    total = sum(os.path.getsize(os.path.join(FIXTURES, f)) for f in os.listdir(FIXTURES))
    print(f"fixtures: {len(os.listdir(FIXTURES))} files, {total} bytes; references in {REFS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
