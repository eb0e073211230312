"""The one safetensors writer (and strict reader) of every reference-data script.

Why by hand: the python `safetensors` package is not installed for /usr/bin/python3 (the interpreter with
PyTorch 1.13), and the format is small. Every stored .safetensors file under reference-data/ is written by
serialize() below; `--check` of each script regenerates the bytes and compares them with the file on disk, so
any change to the byte layout here shows up at once (`/usr/bin/python3 reference-data/check_all.py`).

Scripts in reference-data/ itself import it directly (Python puts a script's own folder first on sys.path, whatever
the working directory); scripts in subfolders first put reference-data/ on sys.path (HERE = the script's folder,
os.path.dirname(os.path.abspath(__file__))):

    sys.path.insert(0, os.path.dirname(HERE))  # st_writer.py, the shared safetensors writer, is in reference-data/

API: serialize(tensors, metadata) -> bytes, save(path, tensors, metadata), meta_json(obj) for metadata values,
read(blob) -> ({name: ndarray}, metadata), dtype_code(dtype); for --check: same_as_file(path, blob),
write_or_check({path: bytes}, check), run_cli(description, build) and check_tree(stored_dir, fresh_dir).

Byte layout, exactly as serialize() writes it:

    [8 bytes]  N: u64, little-endian = length of the header in bytes
    [N bytes]  the header: one JSON object, UTF-8, padded at the end with spaces (0x20) to N % 8 == 0
               (0 to 7 spaces), so that the data starts 8-byte aligned
    [rest]     the tensors' raw bytes, little-endian, row-major (C order), in the order of their names sorted
               by code point, back to back from offset 0 (no alignment padding between tensors), nothing after

The header is

    {"NAME": {"data_offsets": [begin, end], "dtype": "F32", "shape": [d0, d1, ...]}, ...,
     "__metadata__": {"KEY": "string", ...}}

- json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True): no white space, keys sorted by code point
  at every level (so "__metadata__" stands between names that start with an upper-case letter and names that
  start with a lower-case one; inside a tensor entry: data_offsets, dtype, shape), non-ASCII characters written
  as \\uXXXX escapes, so the header is pure ASCII.
- data_offsets count from the first byte after the padded header; end - begin = element size * product(shape).
- "__metadata__" is written when metadata is not None (an empty dict gives "__metadata__":{}), and omitted for
  None. Its values must be strings; meta_json() makes the compact, key-sorted JSON string the scripts store there.

dtype codes (the only ones any script stores):

    value given                         code   bytes
    float32 tensor / array              F32    <f4
    float64 tensor / array              F64    <f8
    int64 tensor / array                I64    <i8
    ("F16", float tensor)               F16    <f2: float32 of the tensor, then numpy's float32 -> float16
                                               (round to nearest even)
    ("BF16", float tensor)              BF16   <u2: the upper 16 bits of float32(torch bfloat16 rounding of the
                                               tensor); bfloat16 -> float32 is exact, so these are its bits

Values may be torch tensors (detached, made contiguous; torch is never imported here, only recognised when the
caller has imported it) or anything np.asarray takes (numpy arrays, numpy scalars, Python floats and ints: a
Python float is float64, a Python int int64). A 0-d value has shape [] unless scalars_as_1d=True, which stores it
as shape [1] with the same bytes: the detect/ files were written that way (through np.ascontiguousarray, which
returns at least one dimension) and their Java tests read those shapes.
"""

import argparse
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the project root, for printing paths

# numpy dtype -> (safetensors code, little-endian numpy dtype of the stored bytes)
DTYPES = {
    np.dtype(np.float32): ("F32", "<f4"),
    np.dtype(np.float64): ("F64", "<f8"),
    np.dtype(np.int64): ("I64", "<i8"),
}

# safetensors code -> numpy dtype of the stored elements, for read()
READ_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8"), "F16": np.dtype("<f2"),
               "BF16": np.dtype("<u2")}


def meta_json(obj):
    """A metadata value: compact JSON with sorted keys (stable bytes); NaN and infinities are refused."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _is_torch(value, kind):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, getattr(torch, kind))


def dtype_code(dtype):
    """The safetensors code of a numpy or torch dtype: float32 -> "F32", float64 -> "F64", int64 -> "I64"."""
    if _is_torch(dtype, "dtype"):
        dtype = sys.modules["torch"].empty(0, dtype=dtype).numpy().dtype
    if np.dtype(dtype) not in DTYPES:
        raise ValueError(f"dtype {dtype} has no safetensors code here (float32, float64, int64)")
    return DTYPES[np.dtype(dtype)][0]


def encode(name, value):
    """(code, shape, little-endian bytes) of one value; see the module docstring for what is accepted."""
    if isinstance(value, tuple):
        code, src = value
        f = src.detach().contiguous().float()
        if code == "F16":
            return code, list(src.shape), f.numpy().astype("<f2").tobytes()
        if code == "BF16":
            # bfloat16 -> float32 is exact, so the float32 bits of the bf16-rounded value carry its 16 bits on top.
            bits = f.bfloat16().float().numpy().view(np.uint32) >> np.uint32(16)
            return code, list(src.shape), bits.astype("<u2").tobytes()
        raise ValueError(f"{name}: unknown half-precision code {code!r} (F16 or BF16)")
    a = value.detach().contiguous().numpy() if _is_torch(value, "Tensor") else np.asarray(value)
    if a.dtype not in DTYPES:
        raise ValueError(f"{name}: dtype {a.dtype} has no safetensors code here (float32, float64, int64)")
    code, little_endian = DTYPES[a.dtype]
    return code, list(a.shape), a.astype(little_endian, copy=False).tobytes(order="C")


def serialize(tensors, metadata=None, *, scalars_as_1d=False):
    """safetensors bytes of {name: value} and {key: str}; layout, values and scalars_as_1d: module docstring."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        code, shape, data = encode(name, tensors[name])
        if scalars_as_1d and not shape:
            shape = [1]
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata is not None:
        for key, value in metadata.items():
            if not isinstance(value, str):
                raise ValueError(f"metadata {key!r}: value must be a string, not {type(value).__name__}")
        header["__metadata__"] = dict(metadata)
    raw = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + b"".join(chunks)


def save(path, tensors, metadata=None, *, scalars_as_1d=False):
    """serialize() to path; returns the bytes written."""
    blob = serialize(tensors, metadata, scalars_as_1d=scalars_as_1d)
    with open(path, "wb") as fh:
        fh.write(blob)
    return blob


def read(blob):
    """Parse safetensors bytes strictly (the layout serialize() writes, nothing looser): ({name: read-only ndarray},
    metadata). BF16 tensors come back as float32 arrays; a file without "__metadata__" gives metadata {}."""
    (n,) = struct.unpack_from("<Q", blob, 0)
    if n % 8:
        raise ValueError(f"header length {n} is not a multiple of 8")
    text = blob[8:8 + n].decode("utf-8")
    body = text.rstrip(" ")  # only trailing spaces may pad the header
    if not (body.startswith("{") and body.endswith("}") and len(text) - len(body) < 8):
        raise ValueError("bad header padding")
    header = json.loads(body)
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise ValueError("metadata values must be strings")
    data = blob[8 + n:]
    arrays = {}
    expected_begin = 0
    for name in sorted(header):  # sorted-name order must be the data order, back to back
        h = header[name]
        dt = READ_DTYPES[h["dtype"]]
        begin, end = h["data_offsets"]
        if begin != expected_begin:
            raise ValueError(f"{name}: gap or overlap at byte {begin}")
        count = int(np.prod(h["shape"], dtype=np.int64))
        if end - begin != count * dt.itemsize:
            raise ValueError(f"{name}: {end - begin} bytes for shape {h['shape']} of {h['dtype']}")
        a = np.frombuffer(data, dtype=dt, count=count, offset=begin).reshape(h["shape"])
        if h["dtype"] == "BF16":
            a = (a.astype(np.uint32) << np.uint32(16)).view(np.float32)
        arrays[name] = a
        expected_begin = end
    if expected_begin != len(data):
        raise ValueError(f"{len(data) - expected_begin} trailing bytes after the last tensor")
    return arrays, metadata


# ---------------------------------------------------------------------------------------------
# --check support: compare regenerated bytes with the stored files, or write them
# ---------------------------------------------------------------------------------------------

def same_as_file(path, blob):
    """True when the file at path exists and holds exactly blob."""
    if not os.path.exists(path):
        return False
    with open(path, "rb") as fh:
        return fh.read() == blob


def write_or_check(blobs, check):
    """{path: bytes}: write each file (creating its folder), or with check=True compare each with the file on disk
    byte for byte and write nothing. Prints one line per file; returns the paths that differ ([] when writing)."""
    stale = []
    for path, blob in sorted(blobs.items()):
        shown = os.path.relpath(path, ROOT)
        if check:
            if same_as_file(path, blob):
                print(f"ok       {shown} ({len(blob)} bytes, identical to a fresh generation)")
            else:
                print(f"DIFFERS  {shown}: not identical to a fresh generation ({len(blob)} bytes)", file=sys.stderr)
                stale.append(path)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(blob)
            print(f"wrote    {shown} ({len(blob)} bytes)")
    return stale


def run_cli(description, build):
    """The command line of a generator that has no other option: with --check compare, else write. build() returns
    {path: bytes}. Returns the exit status (1 when a stored file differs)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="regenerate in memory and compare byte for byte with the stored files; write nothing")
    args = parser.parse_args()
    stale = write_or_check(build(), args.check)
    if args.check and not stale:
        print("check OK: files match a fresh generation byte for byte")
    return 1 if stale else 0


def check_tree(stored_dir, fresh_dir):
    """--check of the scripts that write whole fixture folders: compare a fresh generation in a temporary folder
    with the stored folder, file by file. Prints the files that differ or exist on one side only (or one ok line);
    returns their paths relative to the folders."""
    def files(top):
        found = {}
        for folder, _, names in os.walk(top):
            for name in names:
                path = os.path.join(folder, name)
                found[os.path.relpath(path, top)] = path
        return found

    stored, fresh = files(stored_dir), files(fresh_dir)
    differ = set(stored) ^ set(fresh)
    for rel in set(stored) & set(fresh):
        with open(stored[rel], "rb") as a, open(fresh[rel], "rb") as b:
            if a.read() != b.read():
                differ.add(rel)
    shown = os.path.relpath(stored_dir, ROOT)
    for rel in sorted(differ):
        print(f"DIFFERS  {os.path.join(shown, rel)}: not identical to a fresh generation", file=sys.stderr)
    if not differ:
        print(f"ok       {shown}/: all {len(stored)} files identical to a fresh generation")
    return sorted(differ)
