#!/usr/bin/python3
"""Reference token ids for org.blades.text.ClipTokenizer and org.blades.text.Gpt2Tokenizer.

    PYTHONPATH=/tmp/tok-ref /usr/bin/python3 reference-data/generate_tokenizers.py          # write the files
    PYTHONPATH=/tmp/tok-ref /usr/bin/python3 reference-data/generate_tokenizers.py --check  # compare with disk

Needs python3-regex (Debian: `apt-get install python3-regex`) and ftfy 6.3.1, which Debian does not
package; install it (and, for the optional cross-checks, tiktoken and open_clip_torch) from the local
package index into a scratch directory:

    /usr/bin/python3 -m pip install --target /tmp/tok-ref ftfy==6.3.1
    /usr/bin/python3 -m pip install --target /tmp/tok-ref --no-deps tiktoken==0.14.0 open_clip_torch==3.3.0

What this script is. OpenAI's `clip/simple_tokenizer.py` (CLIP) and `src/encoder.py` (GPT-2) are not
installable packages, so the two reference tokenizers below are an independent re-implementation of
exactly what those files do, written from their behaviour (not copied):

  CLIP: ftfy.fix_text -> html.unescape twice -> str.strip -> regex `\\s+` -> ' ' -> strip -> str.lower;
        split with `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|
        [^\\s\\p{L}\\p{N}]+` (regex module, IGNORECASE); every piece as UTF-8 bytes mapped through
        bytes_to_unicode, `</w>` appended to its last symbol, BPE with the first 48,894 merges of
        bpe_simple_vocab_16e6.txt.gz (lines 1 .. 49152-256-2); a piece that is exactly one of the two
        special strings is its special id. Vocabulary: 256 byte symbols, the same with `</w>`, one
        entry per merge, <|startoftext|> = 49406, <|endoftext|> = 49407.
  GPT-2: no cleaning; split with `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+`;
        bytes_to_unicode, BPE with the 50,000 merges of vocab.bpe, ids from encoder.json.
  BPE:  repeatedly take the adjacent pair with the lowest merge rank and merge every occurrence of
        it, left to right, until no adjacent pair has a rank.

Where independent implementations are importable they are used as cross-checks, and any
disagreement aborts: tiktoken (Rust BPE) for GPT-2 on every line, open_clip's copy of OpenAI's
SimpleTokenizer for CLIP on every line without special-token text (open_clip names its special
tokens <start_of_text>/<end_of_text>).

ftfy. The Java ClipTokenizer implements every step of ftfy.fix_text except the mojibake repair
(fix_encoding and its sub-steps), because that one is a statistical heuristic over large tables.
Each line's "clip" ids are computed with the full, real ftfy; when fix_encoding changes the text,
the line also carries "clip_without_ftfy_fix_encoding" (ftfy.fix_text(text, fix_encoding=False)),
which is what the Java side must produce, and the Java test checks that the two really differ.

Outputs (all deterministic; seeded random strings):
  reference-data/tokenizers/corpus.jsonl   {"category", "text", "clip", "gpt2"[, "clip_without_ftfy_fix_encoding"]}
                                           clip ids include <|startoftext|> and <|endoftext|>, unpadded
  reference-data/tokenizers/decode.jsonl   {"tokenizer": "clip"|"gpt2", "ids", "text"}: decode of random ids
  reference-data/tokenizers/ftfy-html-entities.tsv   ftfy's own entity table (&NAME; -> code points),
                                           checked against the table the Java side derives
  src/main/resources/org/blades/text/html5-entities.txt   the HTML5 named character references as
                                           Python's html.entities.html5 lists them (used by the Java
                                           html.unescape)
"""

import argparse
import gzip
import html
import html.entities
import importlib.util
import json
import os
import random
import sys

import regex

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESOURCES = os.path.join(ROOT, "src", "main", "resources", "org", "blades", "text")
OUT = os.path.join(HERE, "tokenizers")
FTFY_VERSION = "6.3.1"

try:
    import ftfy
except ImportError:
    sys.exit("ftfy is not importable: install ftfy==%s (see this file's docstring) and set PYTHONPATH" % FTFY_VERSION)
if ftfy.__version__ != FTFY_VERSION:
    sys.exit("ftfy %s found, the corpus is defined with ftfy %s" % (ftfy.__version__, FTFY_VERSION))


# ---------------------------------------------------------------------------------------------
# Reference algorithms
# ---------------------------------------------------------------------------------------------

def byte_symbols():
    """bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 bytes for
    U+0100.. in byte order. Returns (byte -> symbol, CLIP vocabulary order of the 256 bytes)."""
    printable = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    symbol = {b: chr(b) for b in printable}
    others = [b for b in range(256) if b not in symbol]
    for n, b in enumerate(others):
        symbol[b] = chr(256 + n)
    return symbol, printable + others


BYTE_SYMBOL, BYTE_ORDER = byte_symbols()
SYMBOL_BYTE = {s: b for b, s in BYTE_SYMBOL.items()}


def bpe(symbols, ranks):
    word = list(symbols)
    while len(word) > 1:
        ranked = [(ranks[p], p) for p in zip(word, word[1:]) if p in ranks]
        if not ranked:
            break
        first, second = min(ranked)[1]
        merged, i = [], 0
        while i < len(word):
            if i + 1 < len(word) and word[i] == first and word[i + 1] == second:
                merged.append(first + second)
                i += 2
            else:
                merged.append(word[i])
                i += 1
        word = merged
    return word


def to_symbols(piece):
    return "".join(BYTE_SYMBOL[b] for b in piece.encode("utf-8"))


def decode_bytes(symbol_text):
    return bytes(SYMBOL_BYTE[c] for c in symbol_text).decode("utf-8", errors="replace")


class ClipReference:
    SPECIAL = ("<|startoftext|>", "<|endoftext|>")

    def __init__(self, merges_gz):
        with gzip.open(merges_gz) as f:
            lines = f.read().decode("utf-8").split("\n")
        merges = [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]
        vocab = [BYTE_SYMBOL[b] for b in BYTE_ORDER]
        vocab += [s + "</w>" for s in vocab]
        vocab += ["".join(m) for m in merges]
        vocab += list(self.SPECIAL)
        assert len(vocab) == 49408 and len(set(vocab)) == 49408
        self.vocab = vocab
        self.ids = {s: i for i, s in enumerate(vocab)}
        self.ranks = {m: r for r, m in enumerate(merges)}
        self.pattern = regex.compile(
            r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            regex.IGNORECASE)

    @staticmethod
    def clean(text, fix_encoding=True):
        text = ftfy.fix_text(text, fix_encoding=fix_encoding)
        text = html.unescape(html.unescape(text)).strip()
        text = regex.sub(r"\s+", " ", text).strip()
        return text.lower()

    def encode(self, text, fix_encoding=True):
        ids = []
        for piece in self.pattern.findall(self.clean(text, fix_encoding)):
            if piece in self.SPECIAL:
                ids.append(self.ids[piece])
                continue
            symbols = to_symbols(piece)
            word = list(symbols[:-1]) + [symbols[-1] + "</w>"]
            ids.extend(self.ids[s] for s in bpe(word, self.ranks))
        return ids

    def decode(self, ids):
        return decode_bytes("".join(self.vocab[i] for i in ids)).replace("</w>", " ")


class Gpt2Reference:
    PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

    def __init__(self, encoder_json, vocab_bpe):
        with open(encoder_json, encoding="utf-8") as f:
            self.ids = json.load(f)
        with open(vocab_bpe, encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [tuple(line.split()) for line in lines[1:-1]]
        assert len(self.ids) == 50257 and len(merges) == 50000
        self.ranks = {m: r for r, m in enumerate(merges)}
        self.vocab = {i: s for s, i in self.ids.items()}
        self.pattern = regex.compile(self.PATTERN)

    def encode(self, text):
        ids = []
        for piece in self.pattern.findall(text):
            ids.extend(self.ids[s] for s in bpe(to_symbols(piece), self.ranks))
        return ids

    def decode(self, ids):
        return decode_bytes("".join(self.vocab[i] for i in ids))


# ---------------------------------------------------------------------------------------------
# Optional independent cross-checks
# ---------------------------------------------------------------------------------------------

def tiktoken_gpt2():
    try:
        import tiktoken
        import tiktoken.load
    except ImportError:
        return None
    ranks = tiktoken.load.data_gym_to_mergeable_bpe_ranks(
        vocab_bpe_file=os.path.join(RESOURCES, "vocab.bpe"),
        encoder_json_file=os.path.join(RESOURCES, "encoder.json"))
    enc = tiktoken.Encoding(name="gpt2-vendored", pat_str=Gpt2Reference.PATTERN, mergeable_ranks=ranks,
                            special_tokens={"<|endoftext|>": 50256})
    return enc.encode_ordinary


def open_clip_encode():
    spec = importlib.util.find_spec("open_clip")
    if spec is None:
        return None
    path = os.path.join(os.path.dirname(spec.origin), "tokenizer.py")
    module_spec = importlib.util.spec_from_file_location("open_clip_tokenizer_only", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    tokenizer = module.SimpleTokenizer(bpe_path=os.path.join(RESOURCES, "bpe_simple_vocab_16e6.txt.gz"))
    return tokenizer.encode


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------

def prompts():
    """The 50 BLADES prompts, in logit-column order."""
    out = []
    for attribute in ("ISO speed rating", "aperture", "exposure time", "focal length"):
        for level in ("low", "medium", "high"):
            out.append("a photo of a face with the %s value of %s" % (level, attribute))
    for make in ("Nikon", "Apple", "FUJIFILM", "Canon", "Samsung", "Sony", "Panasonic", "Nokia", "Pentax", "others"):
        out.append("a photo of a face taken with the %s brand camera" % make)
    for mode in ("average", "centerweighted", "others", "partial", "spot", "multi-spot", "multi-segment", "evaluative"):
        out.append("A photo of the face captured using the %s metering mode" % mode)
    for mode in ("auto", "auto-bracketing", "program", "manual", "aperture-priority", "easy-shooting",
                 "shutter-priority"):
        out.append("A photo of the face captured using the %s exposure mode" % mode)
    for mode in ("auto", "manual"):
        out.append("A photo of the face captured using the %s white balance mode" % mode)
    for program in ("landscape mode", "manual control", "normal program", "portrait mode", "shutter priority",
                    "aperture priority"):
        out.append("A photo of the face captured using the exposure program set to %s" % program)
    for kind in ("photographic", "manipulated"):
        out.append("a photo of a %s face" % kind)
    for region in ("mouth", "eye", "nose"):
        out.append("a photo of a face with a manipulated %s region" % region)
    assert len(out) == 50
    return out


WORDS = ("a photo of the face portrait camera lens light shadow smile eye nose mouth hair skin person woman man "
         "child old young studio outdoor indoor sunny cloudy night bright dark blurry sharp close wide angle "
         "manipulated photographic generated synthetic real fake detector image picture selfie group crowd "
         "background foreground color black white red green blue exposure aperture shutter focal length iso "
         "metering balance program priority auto manual landscape mode high low medium value brand taken with "
         "captured using set to region and or not is was be it this that").split()

ASCII_SENTENCES = [
    "Hello, world!", "The quick brown fox jumps over the lazy dog.", "A photo of a cat.",
    "a photo of a dog", "An oil painting of a lighthouse at dusk", "GAN-generated faces look too smooth",
    "Is this image real or fake?", "StyleGAN2, Stable Diffusion 1.5 and FreeDoM", "CelebA-HQ vs. FFHQ",
    "iPhone 12 Pro Max", "Canon EOS 5D Mark IV", "f/2.8, 1/200 s, ISO 400, 50 mm", "e-mail: someone@example.com",
    "https://example.com/path?query=1&x=y#frag", "C++ and C# and F#", "snake_case and camelCase and PascalCase",
    "ALL CAPS SENTENCE WITH SHOUTING", "MiXeD CaSe WoRdS", "a-b-c-d-e-f", "under_score__double___triple",
    "x = y + 2 * (z - 3) / 4", "if (a < b && c > d) { return; }", "semi;colon:colon,comma.period",
    "Mr. Smith went to Washington.", "U.S.A. and U.K.", "hashtag #blades #ai", "@mention and $dollar and %percent",
    "tabs\tand\tspaces", "line one\nline two", "trailing space ", " leading space", "  both  sides  ",
    "A", "a", "I", ".", "!", "?", "...", "--", "a photo", "photo", "photos", "photography", "photographically",
    "the the the the the", "face face face", "facial", "faces", "manipulate", "manipulation", "manipulates",
    "antidisestablishmentarianism", "pneumonoultramicroscopicsilicovolcanoconiosis",
    "Supercalifragilisticexpialidocious", "The year 1999 was followed by 2000.",
]

ACCENTED = [
    "café", "naïve", "résumé", "crème brûlée", "Ångström", "Åland", "jalapeño", "Señor Muñoz", "über", "Müller",
    "Größe", "straße", "STRASSE", "Ærøskøbing", "Œuvre", "façade", "São Paulo", "Kraków", "Łódź", "Dvořák",
    "İstanbul", "ıiİI", "Ελληνικά", "ΟΔΟΣ", "ΣΑΣ ΣΑΣ.", "ΑΣ1Β", "Α.Σ", "Σ", "ΌΣΟΣ'", "Русский язык",
    "Україна", "עברית", "العربية", "हिन्दी", "ภาษาไทย", "Tiếng Việt", "Āā Ēē Īī Ōō Ūū", "ǅemal ǈubljana ǋegoš",
    "e\u0301 (decomposed e-acute)", "n\u0303o", "A\u030a", "\u1100\u1161\u11a8 (Hangul jamo)", "ﬁne ﬂow oﬀ ĳs",
    "ﬅ and ſ", "it'ſ long s", "Kelvin \u212a", "micro \u00b5 and mu \u03bc", "ª º", "Ⅻ ⅻ", "ⓐⓑⓒ ⒶⒷⒸ",
    "\u03b1\u0345 and x\u0345y and .\u0345.", "ǰ ΐ ŉ", "ŉ and ʼn", "ß ẞ", "Ǆ ǅ ǆ", "ﬀ ﬃ ﬄ ﬆ",
]

CJK = [
    "日本語のテキスト", "こんにちは世界", "カタカナ", "ｶﾀｶﾅ ﾊﾝｶｸ", "ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟ", "中文文本", "你好，世界！", "繁體中文",
    "한국어 텍스트", "안녕하세요", "漢字とひらがなとカタカナ", "東京タワー2023", "写真の顔", "顔写真",
    "ＬＯＵＤ　ＮＯＩＳＥＳ", "ＡＢＣ１２３", "全角スペース　あり", "（括弧）「鉤括弧」『二重』", "。、・ー",
    "中文,English,日本語", "人工智能生成的人脸", "AI生成の顔画像", "가나다라마바사", "ㄱㄴㄷ", "ﾟ ﾞ",
]

EMOJI = [
    "😀", "😀😃😄", "a 😀 b", "👍🏽", "👍🏿 thumbs", "👨‍👩‍👧‍👦", "👩🏽‍💻", "🏳️‍🌈", "🏴‍☠️", "🇺🇸🇯🇵🇫🇷",
    "🇩🇪 flag", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "#️⃣ 1️⃣ *️⃣", "❤️ ♥ ❤",
    "☺️ ☺", "🤖 robot face", "📷📸", "selfie🤳", "🧑‍🤝‍🧑", "👁️‍🗨️", "🙂🙃", "face😊face", "😂😂😂😂😂😂",
    "🫠", "🥲", "⚡️", "✔ ✓ ✗", "♀️♂️", "🧔‍♀️", "🏻🏼🏽🏾🏿",
]

DIGITS = [
    "0", "7", "42", "123", "1234", "12345", "123456789", "3.14159", "2.718281828", "1,000,000", "1.000.000,00",
    "-273.15", "+1 (555) 123-4567", "1st 2nd 3rd 4th", "10³ and 10^3", "½ ¼ ¾", "Ⅳ", "٠١٢٣٤٥٦٧٨٩", "०१२३",
    "１２３", "1e10", "0x1F600", "2024-01-31T12:34:56Z", "v1.2.3-beta", "ISO 3200", "f/1.4", "1/8000",
    "99.9%", "$19.99", "€5", "£3", "¥100", "50mm", "24-70mm",
    "3141592653589793238462643383279502884197169399375105820974944592307816406286",
]

APOSTROPHES = [
    "it's", "don't", "we're", "they've", "I'm", "you'll", "he'd", "IT'S", "DON'T", "WE'RE", "THEY'VE", "I'M",
    "YOU'LL", "HE'D", "It'S", "it’s", "don’t", "we’re", "‘quoted’", "“double”", "„low“", "‹angle›", "«guillemets»",
    "rock 'n' roll", "'twas", "o'clock", "the 90's", "'s", "'", "''", "'''", "'ll've", "cat's cat's", "Jones'",
    "it\u02bcs", "it\u2018s", "it\u201bs", "y'all'd've", "'S 'T 'RE 'VE 'M 'LL 'D", "I'd've", "ma'am",
    "l'amour", "dell'arte", "can't won't shan't", "`backtick`", "it's\u00a0here", "'re'", "don't'",
]

HTML_CASES = [
    "&amp;", "&#39;", "&#x27;", "&lt;3", "Tom &amp; Jerry", "&amp;amp;", "&amp;amp;amp;", "&amp;amp;amp;amp;",
    "&quot;quoted&quot;", "&nbsp;non-breaking&nbsp;space", "caf&eacute;", "P&EACUTE;REZ", "BUNDESSTRA&SZLIG;E",
    "&ntilde; &Ntilde; &NTILDE; &nTILDE;", "&hellip;", "it&rsquo;s", "&ldquo;hi&rdquo;", "&copy; 2024", "&copy2024",
    "&amp", "&ampx", "&notit;", "&notin;", "&not", "this&not that", "&#0;", "&#128;", "&#x80;", "&#x92;",
    "&#x9D;", "&#13;", "&#xD800;", "&#1114112;", "&#99999999999999999999;", "&#x110000;", "&#xFFFE;",
    "&#x1F600;", "&#128512;", "&#65", "&#x41", "&#65;&#66;&#67;", "&#X41;", "&#;", "&#x;", "&;", "& ;", "&",
    "&&&", "&unknownentity;", "&Jscr;ohn &HilbertSpace;ancock", "&checkmark;", "<b>bold &amp; html</b>",
    "a < b &amp; c", "a > b &amp; c", "first line\n<second> &amp; line\nthird &amp; line",
    "x &lt; y\ny &gt; z", "&LT; &GT; &AMP;", "&lt &gt", "&aacute&eacute", "&ThisIsAVeryLongEntityNameThatIsNotReal;",
    "&abcdefghijklmnopqrstuvwxyzabcdefghij;", "&ff;&fflig;&FFLIG;", "&DownArrowBar; &NotNestedGreaterGreater;",
    "&#x2028;line&#x2029;sep", "&#9;tab&#10;newline", "&NewLine;&Tab;", "&#x85;", "&#x1B;[31mred",
]

FTFY_CASES = [
    "\ufeffByte order mark", "zero\u200bwidth\u200bspace", "word\u200cjoiner\u200d", "bidi\u200e\u200fmarks",
    "\u202aembedded\u202c", "deprecated\u206acontrol\u206f", "object\ufffcreplacement", "anno\ufff9tation\ufffb",
    "\x00null\x00", "bell\x07", "vertical\x0btab", "form\x0cfeed", "esc\x1b alone", "\x1b[31mred\x1b[0m text",
    "\x1b[1;32;40mgreen\x1b[m", "\x1b[\u0661\u0662mArabic digits in ANSI", "\x7fdelete", "sep\x1c\x1d\x1e\x1fsep",
    "c1 \x80 \x85 \x92 \x9d \x9f", "it\x92s", "\x93quoted\x94", "crlf\r\nline", "cr\rline", "ls\u2028ps\u2029",
    "nel\x85line", "musical\U0001D173\U0001D17Acontrol", "tag\U000E0041\U000E0042chars", "private\ue000use",
    "\ufdd0noncharacter", "replacement \ufffd char", "half\uff61width\uff64punct", "fullwidth\uff5etilde",
    "\u3000ideographic\u3000space\u3000", "\u00a0nbsp\u00a0", "mixed \t\n\r\x0b\x0c ws", "e\u0301\u0301 double",
    "\u0041\u030a\u0301", "q\u0307\u0323", "\u1e9b\u0323", "\u2126 ohm \u212b angstrom", "\uf900 compat ideograph",
    "x\U0001D400y math bold", "ⓐ ⒜ ①", "\u2460\u2461 circled", "Ⅸ roman", "ﬁ\u0301", "ǆ\u030c",
]

WHITESPACE_CHARS = ["\t", "\n", "\x0b", "\x0c", "\r", " ", "\x85", "\xa0", "\u1680", "\u2000", "\u2001", "\u2002",
                    "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u2028",
                    "\u2029", "\u202f", "\u205f", "\u3000", "\x1c", "\x1f", "\u200b", "\u180e", "\ufeff"]

PUNCTUATION = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("¡¢£¤¥¦§¨©«¬®¯°±²³´¶·¸¹»¼½¾¿×÷") + \
    list("‐‑‒–—―‖‗‘’‚‛“”„‟†‡•‣․‥…‧‰‱′″‴‵‶‷‸‹›※‼‽‾⁁⁂⁃⁄⁅⁆⁇⁈⁉") + list("€₹₽←↑→↓↔∀∂∃∅∇∈∉∑−∞≈≠≤≥⌘⌥☃☂★☆♠♣♥♦") + \
    ["\u0345"]

# Code point ranges for random strings: blocks whose letters, digits, case mappings and
# normalisation have not changed since long before Unicode 13 (Java 17's version), so the
# Java and Python Unicode tables agree on them.
RANDOM_RANGES = [
    (0x0021, 0x007E), (0x00A1, 0x00FF), (0x0100, 0x017F), (0x0391, 0x03C9), (0x0400, 0x045F), (0x05D0, 0x05EA),
    (0x0621, 0x064A), (0x0660, 0x0669), (0x0905, 0x0939), (0x0E01, 0x0E3A), (0x3041, 0x3096), (0x30A1, 0x30FA),
    (0x4E00, 0x9FA5), (0xAC00, 0xD7A3), (0xFF01, 0xFF5E), (0xFF61, 0xFF9F), (0x2010, 0x2027), (0x2190, 0x21FF),
    (0x1F600, 0x1F64F), (0x1F300, 0x1F5FF), (0x0300, 0x036F),
]


def random_string(rng, length):
    out = []
    for _ in range(length):
        roll = rng.random()
        if roll < 0.15:
            out.append(rng.choice(WHITESPACE_CHARS[:25]) if rng.random() < 0.3 else " ")
        else:
            lo, hi = rng.choice(RANDOM_RANGES)
            out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def corpus():
    rng = random.Random(20240531)
    cases = []

    def add(category, texts):
        cases.extend((category, t) for t in texts)

    add("prompt", prompts())
    add("prompt-variant", [p.upper() for p in prompts()[::5]] + ["  " + p + "  " for p in prompts()[1::7]]
        + [p.replace(" ", "\t") for p in prompts()[2::9]] + [p + "." for p in prompts()[3::11]])
    add("ascii", ASCII_SENTENCES)
    generated = []
    for _ in range(160):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 14))]
        words = [w.capitalize() if rng.random() < 0.2 else (w.upper() if rng.random() < 0.05 else w) for w in words]
        sentence = " ".join(words)
        sentence += rng.choice(["", "", ".", "!", "?", ",", "...", " :)"])
        generated.append(sentence)
    add("ascii-random", generated)
    add("ascii-chars", [chr(c) for c in range(0x20, 0x7F)])
    add("accents", ACCENTED)
    accent_letters = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿāăąćčďđēėęěğīįıķļľłńňōőœŕřśşšţťūůűųźżžÀÁÂÄÅÇÉÑÖØÜßẞ"
    add("accents-random", ["".join(rng.choice(accent_letters + "aeioun ") for _ in range(rng.randint(1, 24)))
                           for _ in range(60)])
    add("cjk", CJK)
    add("cjk-random", ["".join(chr(rng.choice([rng.randint(0x4E00, 0x9FA5), rng.randint(0x3041, 0x3096),
                                                rng.randint(0x30A1, 0x30FA), rng.randint(0xAC00, 0xD7A3)]))
                               for _ in range(rng.randint(1, 16))) for _ in range(50)])
    add("emoji", EMOJI)
    emoji_pool = ["😀", "👍", "🏽", "\u200d", "\ufe0f", "👩", "💻", "🇯", "🇵", "🌈", "🏳", "❤", "🔥", "✨", " ", "a"]
    add("emoji-random", ["".join(rng.choice(emoji_pool) for _ in range(rng.randint(1, 12))) for _ in range(40)])
    add("digits", DIGITS)
    add("digits-random", ["".join(rng.choice("0123456789" + ".,- ") for _ in range(rng.randint(1, 40)))
                          for _ in range(40)])
    add("apostrophes", APOSTROPHES)
    add("apostrophes-random", ["".join(rng.choice(["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'D", "’s",
                                                   "'", "ab", "X", " ", "1"])
                                       for _ in range(rng.randint(1, 8))) for _ in range(40)])
    add("html", HTML_CASES)
    entity_names = sorted(html.entities.html5)
    def numeric_target():
        # C0/C1 controls and Latin (the interesting decoding rules), or a character from the blocks
        # whose properties are the same in every Unicode version the tests may run with
        if rng.random() < 0.5:
            return rng.randint(0, 0x17F)
        lo, hi = rng.choice(RANDOM_RANGES)
        return rng.randint(lo, hi)

    add("html-random", ["".join(rng.choice(["&" + rng.choice(entity_names), "&amp;", "&#%d;" % numeric_target(),
                                            "&#x%X;" % numeric_target(), "&" + rng.choice(entity_names).upper(),
                                            "x", " ", ";", "#", "<", ">"])
                                for _ in range(rng.randint(1, 6))) for _ in range(60)])
    add("ftfy", FTFY_CASES)
    whitespace_runs = []
    for _ in range(70):
        pieces = []
        for _ in range(rng.randint(1, 6)):
            pieces.append("".join(rng.choice(WHITESPACE_CHARS) for _ in range(rng.randint(1, 5))))
            pieces.append(rng.choice(["", "a", "word", "B", "1", ".", "é", "中", "😀", "'s"]))
        whitespace_runs.append("".join(pieces))
    whitespace_runs += ["", " ", "  ", "\t", "\n", "\n\n\n", " \t\n", "\u3000", "\xa0", "\u2028", "\u3000\u3000a",
                        "a  b", "a   b", "a \t b", "a\u00a0\u00a0b", "a\u3000\u3000b", "a \u3000b", "a\n\nb",
                        "end with spaces   ", "   start with spaces", "a" + " " * 40 + "b"]
    add("whitespace", whitespace_runs)
    add("punctuation-random", ["".join(rng.choice(PUNCTUATION + [" ", "a"]) for _ in range(rng.randint(1, 30)))
                               for _ in range(70)])
    add("special-token-text", ["<|endoftext|>", "<|startoftext|>", "<|startoftext|>a photo<|endoftext|>",
                               "<|ENDOFTEXT|>", "<|EndOfText|>", "<|ſtartoftext|>", "<|endoftext|><|endoftext|>",
                               "x<|endoftext|>y", "<|endoftext", "<|endoftext |>", "<start_of_text>",
                               "< |endoftext|>", "<|startoftext|>"])
    long_words = ["a" * 500, "ab" * 300, "abc" * 200, "photo" * 120, "x" * 999, "supercalifragilistic" * 40,
                  "é" * 300, "中" * 200, "😀" * 100, "1" * 300, "!" * 400, "ha" * 250, " " * 500 + "a",
                  "a" + "\t" * 300 + "b"]
    long_words += ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(200, 1200)))
                   for _ in range(8)]
    add("long-words", long_words)
    add("unicode-random", [random_string(rng, rng.randint(1, 40)) for _ in range(230)])
    add("mojibake", ["schÃ¶n", "Ã©tÃ©", "voilÃ  le travail", "cafÃ© au lait", "â€œquotedâ€\x9d", "â€™s",
                     "ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Ã¢â‚¬â„¢ double", "sÃ³", "Ã¼ber"])
    return cases


def build(args):
    clip = ClipReference(os.path.join(RESOURCES, "bpe_simple_vocab_16e6.txt.gz"))
    gpt2 = Gpt2Reference(os.path.join(RESOURCES, "encoder.json"), os.path.join(RESOURCES, "vocab.bpe"))
    tiktoken_encode = tiktoken_gpt2()
    open_clip = open_clip_encode()
    checked = {"tiktoken": 0, "open_clip": 0}

    lines, seen, flagged, by_category = [], set(), 0, {}
    for category, text in corpus():
        if text in seen:
            continue
        seen.add(text)
        sot, eot = clip.ids["<|startoftext|>"], clip.ids["<|endoftext|>"]
        clip_ids = [sot] + clip.encode(text) + [eot]
        gpt2_ids = gpt2.encode(text)
        assert gpt2.decode(gpt2_ids) == text, text
        if tiktoken_encode is not None:
            assert tiktoken_encode(text) == gpt2_ids, ("tiktoken disagrees", text)
            checked["tiktoken"] += 1
        specials = ("<|", "<start_of_text>", "<end_of_text>")
        if open_clip is not None and not any(s in clip.clean(text) for s in specials):
            assert open_clip(text) == clip_ids[1:-1], ("open_clip disagrees", text)
            checked["open_clip"] += 1
        record = {"category": category, "text": text, "clip": clip_ids, "gpt2": gpt2_ids}
        clip_without = [sot] + clip.encode(text, fix_encoding=False) + [eot]
        if clip_without != clip_ids:
            record["clip_without_ftfy_fix_encoding"] = clip_without
            flagged += 1
        lines.append(json.dumps(record, ensure_ascii=False))
        by_category[category] = by_category.get(category, 0) + 1

    rng = random.Random(77)
    decodes = []
    for name, tokenizer, size in (("clip", clip, 49408), ("gpt2", gpt2, 50257)):
        for n in range(150):
            if n < 60:
                ids = [rng.randrange(0, 512 if name == "clip" else 256) for _ in range(rng.randint(1, 8))]
            else:
                ids = [rng.randrange(0, size) for _ in range(rng.randint(1, 20))]
            decodes.append(json.dumps({"tokenizer": name, "ids": ids, "text": tokenizer.decode(ids)},
                                      ensure_ascii=False))

    entity_lines = ["# HTML5 named character references: name (as matched after '&', with or without the",
                    "# closing ';'), TAB, the code points it stands for in hex. 2,231 names, from the WHATWG",
                    "# HTML Standard's list as shipped in Python 3.11's html.entities.html5.",
                    "# Written by reference-data/generate_tokenizers.py; do not edit."]
    for name in sorted(html.entities.html5):
        entity_lines.append(name + "\t" + " ".join("%X" % ord(c) for c in html.entities.html5[name]))

    from ftfy import chardata
    ftfy_lines = ["# ftfy %s chardata.HTML_ENTITIES: the entities its unescape_html step decodes." % FTFY_VERSION,
                  "# Written by reference-data/generate_tokenizers.py; do not edit."]
    for name in sorted(chardata.HTML_ENTITIES):
        ftfy_lines.append(name + "\t" + " ".join("%X" % ord(c) for c in chardata.HTML_ENTITIES[name]))

    files = {
        os.path.join(OUT, "corpus.jsonl"): "\n".join(lines) + "\n",
        os.path.join(OUT, "decode.jsonl"): "\n".join(decodes) + "\n",
        os.path.join(OUT, "ftfy-html-entities.tsv"): "\n".join(ftfy_lines) + "\n",
        os.path.join(RESOURCES, "html5-entities.txt"): "\n".join(entity_lines) + "\n",
    }
    stats = {"lines": len(lines), "flagged_fix_encoding": flagged, "categories": by_category,
             "cross_checked": checked}
    return files, stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="regenerate in memory and compare with the files on disk")
    args = parser.parse_args()
    files, stats = build(args)
    if args.check:
        stale = []
        for path, text in files.items():
            if not os.path.exists(path) or open(path, encoding="utf-8", newline="").read() != text:
                stale.append(os.path.relpath(path, ROOT))
        if stale:
            sys.exit("stale or missing: " + ", ".join(stale))
        print("all files up to date")
    else:
        os.makedirs(OUT, exist_ok=True)
        for path, text in files.items():
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
