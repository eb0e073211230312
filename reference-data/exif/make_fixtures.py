#!/usr/bin/python3
"""EXIF test fixtures: the EXIF of every ../shared/data/exif-dev photograph on a tiny 8x8 JPEG, plus the small files
of ../shared/data/odd-jpegs, plus exiftool's readings of both.

Run from the project root (needs Pillow and exiftool: apt-get install libimage-exiftool-perl):

    /usr/bin/python3 reference-data/exif/make_fixtures.py          # write src/test/resources/exif/
    /usr/bin/python3 reference-data/exif/make_fixtures.py --check  # regenerate in a temporary folder, compare bytes

Why tiny copies: the 77 originals are 16 MB; their EXIF is 0.6 MB. Each fixture is
    SOI + every APP1 "Exif" segment of the original, byte for byte and in the original order + an 8x8 gray JPEG body
so every IFD, offset and maker note the readers parse is the camera's own. The script then runs exiftool on the
fixtures with the same arguments that produced ../shared/data/exiftool-exif-dev.numeric.csv and fails unless every
EXIF column equals the original's reading (only ImageWidth/ImageHeight change, to 8x8).

Writes
  src/test/resources/exif/exif-dev/*.jpg            fixtures, named after the original with [^A-Za-z0-9._-] -> "_"
  src/test/resources/exif/exif-dev.numeric.csv      the shared CSV's rows with a leading Fixture column
  src/test/resources/exif/odd-jpegs/*.jpg           the odd-jpegs under 100 kB, copied unchanged
  src/test/resources/exif/odd-jpegs.numeric.csv     exiftool's EXIF readings of all 49 odd-jpegs (same arguments)
"""

import argparse
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "reference-data"))  # st_writer.py (check_tree for --check) is there
import st_writer  # noqa: E402

SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
OUT = os.path.join(ROOT, "src", "test", "resources", "exif")
# The arguments that reproduce ../shared/data/exiftool-exif-dev.numeric.csv exactly (checked with exiftool 12.57).
EXIFTOOL = ["exiftool", "-n", "-csv", "-EXIF:Make", "-EXIF:Model", "-EXIF:FNumber", "-EXIF:ApertureValue",
            "-EXIF:ExposureMode", "-EXIF:ExposureProgram", "-EXIF:ExposureTime", "-EXIF:FocalLength", "-EXIF:ISO",
            "-EXIF:MeteringMode", "-EXIF:WhiteBalance", "-EXIF:Flash", "-EXIF:Orientation", "-File:ImageWidth",
            "-File:ImageHeight"]
COLUMNS = ["SourceFile", "Make", "Model", "FNumber", "ApertureValue", "ExposureMode", "ExposureProgram", "ExposureTime",
           "FocalLength", "ISO", "MeteringMode", "WhiteBalance", "Flash", "Orientation", "ImageWidth", "ImageHeight"]
ODD_COPY_LIMIT = 100_000


def exif_segments(data):
    """The APP1 Exif segments (marker and length included), walking markers like a decoder: junk bytes between
    segments are skipped, the walk stops at the first scan or at EOI."""
    out, i = [], 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        while i < len(data) and data[i] == 0xFF:
            i += 1
        if i >= len(data):
            break
        marker = data[i]
        i += 1
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            continue
        if marker in (0xD9, 0xDA) or i + 2 > len(data):
            break
        length = int.from_bytes(data[i:i + 2], "big")
        if marker == 0xE1 and data[i + 2:i + 8] == b"Exif\0\0":
            out.append(b"\xFF\xE1" + data[i:i + length])
        i += length
    return out


def tiny_body():
    """An 8x8 gray baseline JPEG without SOI and without its JFIF APP0 segment."""
    buf = io.BytesIO()
    Image.new("L", (8, 8), 128).save(buf, format="JPEG", quality=75)
    data = buf.getvalue()
    assert data[:4] == b"\xFF\xD8\xFF\xE0"
    app0_len = int.from_bytes(data[4:6], "big")
    return data[4 + app0_len:]


def fixture_name(source):
    stem, _ = os.path.splitext(os.path.basename(source))
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem) + ".jpg"


def exiftool_rows(directory):
    # exiftool exits 1 when some file has a format error (several odd-jpegs do); its CSV still covers every file.
    run = subprocess.run(EXIFTOOL + ["."], cwd=directory, capture_output=True, text=True)
    if run.returncode not in (0, 1) or not run.stdout:
        sys.exit(f"exiftool failed in {directory}: {run.stderr}")
    text = run.stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    return {r["SourceFile"]: r for r in rows}


def build(out):
    """Write the fixtures and the two CSVs into the folder out (the layout of src/test/resources/exif/)."""
    src_dir = os.path.join(SHARED, "exif-dev")
    with open(os.path.join(SHARED, "exiftool-exif-dev.numeric.csv"), newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f)]
    header = next(r for r in rows if r[0] == "SourceFile")
    assert header == COLUMNS, header
    originals = sorted((dict(zip(header, r)) for r in rows if r[0] != "SourceFile"), key=lambda r: r["SourceFile"])

    fixtures_dir = os.path.join(out, "exif-dev")
    shutil.rmtree(fixtures_dir, ignore_errors=True)
    os.makedirs(fixtures_dir)
    body = tiny_body()
    names = {}
    for row in originals:
        name = fixture_name(row["SourceFile"])
        assert name not in names.values(), f"fixture name clash: {name}"
        names[row["SourceFile"]] = name
        with open(os.path.join(src_dir, row["SourceFile"]), "rb") as f:
            segments = exif_segments(f.read())
        with open(os.path.join(fixtures_dir, name), "wb") as f:
            f.write(b"\xFF\xD8" + b"".join(segments) + body)

    # The fixtures must read exactly as the originals did, except for the image size.
    readings = exiftool_rows(fixtures_dir)
    bad = []
    for row in originals:
        got = readings["./" + names[row["SourceFile"]]]
        for col in COLUMNS[1:-2]:
            if got[col] != row[col]:
                bad.append(f"{row['SourceFile']}: {col} original {row[col]!r}, fixture {got[col]!r}")
        if (got["ImageWidth"], got["ImageHeight"]) != ("8", "8"):
            bad.append(f"{row['SourceFile']}: fixture is not 8x8")
    if bad:
        sys.exit("fixtures differ from the originals:\n" + "\n".join(bad))

    with open(os.path.join(out, "exif-dev.numeric.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Fixture"] + COLUMNS)
        for row in originals:
            w.writerow([names[row["SourceFile"]]] + [row[c] for c in COLUMNS])

    odd_src = os.path.join(SHARED, "odd-jpegs")
    odd_dir = os.path.join(out, "odd-jpegs")
    shutil.rmtree(odd_dir, ignore_errors=True)
    os.makedirs(odd_dir)
    for name in sorted(os.listdir(odd_src)):
        if os.path.getsize(os.path.join(odd_src, name)) < ODD_COPY_LIMIT:
            shutil.copyfile(os.path.join(odd_src, name), os.path.join(odd_dir, name))
    odd = exiftool_rows(odd_src)
    with open(os.path.join(out, "odd-jpegs.numeric.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for key in sorted(odd):
            w.writerow([odd[key].get(c, "") for c in COLUMNS])

    size = sum(os.path.getsize(os.path.join(d, n)) for d in (fixtures_dir, odd_dir) for n in os.listdir(d))
    print(f"{len(originals)} EXIF fixtures and {len(os.listdir(odd_dir))} odd JPEGs, {size} bytes; all EXIF columns "
          f"equal exiftool's readings of the originals", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate everything in a temporary folder and compare with src/test/resources/exif/")
    args = parser.parse_args()
    if not args.check:
        build(OUT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(tmp)
        return 1 if st_writer.check_tree(OUT, tmp) else 0


if __name__ == "__main__":
    sys.exit(main())
