"""The site's static files: stylesheets, scripts, fonts and icons under /assets/, and the photos of the image host.

Pages (tests/site/chrome.py) name them as the real site does: stylesheets
relative to the base href, scripts absolute, icons, and a font that only a
stylesheet names (through an `@import` and an `@font-face`). Next to them the
chrome names third parties (ad servers, analytics, social widgets, web fonts),
which an archive must never fetch. Photos are real JPEG bytes: one photo-like
image, each served copy carrying its own URL in a JPEG comment, so every photo
has its own payload digest.

Caching as a static server configures it: stylesheets and scripts come without
freshness (a client asks again every time), fonts and images are fresh for a
week (`Cache-Control: max-age`).
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
import zlib
from functools import lru_cache
from pathlib import Path

from newsarchive.site.urls import IMAGE_HOST

VERSION = "v=20241016"
#: stylesheets and scripts the pages name (chrome.py links them)
STYLESHEETS = ["bootstrap.min", "style", "menu", "news", "archives", "fancybox", "swiper", "print", "rwd", "dark"]
SCRIPTS = ["jquery-3.6.0.min", "bootstrap.bundle.min", "swiper.min", "fancybox.umd", "lazyload.min",
           "menu", "share", "gpt_slots", "ga_events", "cookieconsent", "darkmode", "fontsize"]
ICON_SIZES = (16, 32, 96, 192)
SHARE_ICONS = ("fb", "tw", "line", "mail", "print")
#: only stylesheets name these: a crawl finds them by reading the CSS it fetched
FONTS = ("roboto-regular.woff2", "roboto-regular.woff", "roboto-bold.woff2")
CSS_IMAGES = ("bg-header.png", "sprite.png")
#: third parties the pages (and a stylesheet) name: never to be fetched
THIRD_PARTY_HOSTS = ("securepubads.g.doubleclick.net", "www.googletagmanager.com", "sb.scorecardresearch.com",
                     "connect.facebook.net", "fonts.googleapis.com", "fonts.gstatic.com")

CSS = "text/css"
JS = "application/javascript"
PNG = "image/png"
JPEG = "image/jpeg"
WOFF = {"woff2": "font/woff2", "woff": "font/woff"}
#: how long fonts and images are fresh for; stylesheets and scripts are not marked fresh at all
STATIC_MAX_AGE = 7 * 24 * 3600
PHOTO_FILE = Path(__file__).with_name("data") / "photo.jpg"
_PHOTO_PATH = re.compile(r"/images/\d{4}/\d{2}/\d{2}/[A-Za-z0-9_-]+\.jpg")


def _filler_css(name: str, rules: int) -> str:
    rng = random.Random(f"css:{name}")
    out = []
    for n in range(rules):
        sel = f".{name.replace('.', '-')}-{n} {rng.choice(['a', 'li', 'p', 'span', 'div', 'h2'])}"
        out.append(f"{sel}{{margin:{rng.randint(0, 20)}px;padding:{rng.randint(0, 12)}px {rng.randint(0, 12)}px;"
                   f"color:#{rng.randrange(0xFFFFFF):06x};font-size:{rng.randint(11, 22)}px}}")
    return "\n".join(out)


def stylesheet(name: str) -> str:
    """A stylesheet; `style` imports the fonts' stylesheet and names background images and third parties."""
    body = _filler_css(name, 900 if name == "bootstrap.min" else 60)
    if name == "style":
        return (f'@charset "utf-8";\n@import url("fonts.css?{VERSION}");\n'
                '@import url("https://fonts.googleapis.com/css?family=Noto+Sans+TC");\n'
                ".header{background:#fff url(../images/bg-header.png) repeat-x}\n"
                ".sh li a{background-image:url('../images/sprite.png')}\n"
                ".icon-check{background:url(data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)}\n"
                "/* an old rule: url(../images/removed.png) */\n" + body)
    return body


def fonts_css() -> str:
    return ("@font-face{font-family:Roboto;font-weight:400;"
            'src:url("../fonts/roboto-regular.woff2") format("woff2"),url(../fonts/roboto-regular.woff) format("woff")}\n'
            "@font-face{font-family:Roboto;font-weight:700;src:url('../fonts/roboto-bold.woff2') format('woff2')}\n"
            "@font-face{font-family:Noto;src:url(https://fonts.gstatic.com/s/notosans/v1/noto.woff2) format('woff2')}\n")


def script(name: str) -> str:
    rng = random.Random(f"js:{name}")
    size = 900 if name.startswith("jquery") else 120
    lines = [f"/*! {name}.js | (c) The Taipei Times */", "(function(w,d){'use strict';"]
    for n in range(size):
        lines.append(f"function f{n}(a,b){{var c=a*{rng.randint(1, 99)}+b;return c>{rng.randint(0, 999)}?"
                     f"d.getElementById('x{n}'):w.setTimeout(function(){{f{max(n - 1, 0)}(c,b)}},{rng.randint(1, 50)})}}")
    lines.append("})(window,document);")
    return "\n".join(lines)


def png(size: int, seed: str) -> bytes:
    """A real PNG (RGB, `size`×`size`): icons and backgrounds."""
    rng = random.Random(f"png:{seed}")
    color = bytes(rng.randrange(256) for _ in range(3))
    raw = b"".join(b"\x00" + color * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def font(name: str) -> bytes:
    """Font-sized bytes under the format's signature (a capture keeps bytes; nothing here renders them)."""
    signature = b"wOF2" if name.endswith(".woff2") else b"wOFF"
    return signature + hashlib.shake_256(name.encode()).digest(18_000)


@lru_cache(maxsize=1)
def _photo_base() -> bytes:
    return PHOTO_FILE.read_bytes()


def photo(url: str) -> bytes:
    """The JPEG served at a photo's URL: the base image with a comment (COM segment) naming that URL."""
    base = _photo_base()
    comment = f"Taipei Times photo {url}".encode()
    return base[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + base[2:]


def static(path: str) -> tuple[bytes, str, bool] | None:
    """(body, content type, fresh for a week) of a file under /assets/, or None if the site has none there."""
    if not path.startswith("/assets/"):
        return None
    rest = path[len("/assets/"):]
    if rest.startswith("css/") and rest.endswith(".css"):
        name = rest[4:-4]
        if name == "fonts":
            return fonts_css().encode(), f"{CSS}; charset=utf-8", False
        if name in STYLESHEETS:
            return stylesheet(name).encode(), f"{CSS}; charset=utf-8", False
    if rest.startswith("js/") and rest.endswith(".js") and (rest[3:-3] in SCRIPTS or rest == "js/footer.js"):
        return script(rest[3:-3]).encode(), f"{JS}; charset=utf-8", False
    if rest.startswith("fonts/") and rest[6:] in FONTS:
        return font(rest[6:]), WOFF[rest.rsplit(".", 1)[1]], True
    if rest.startswith("images/") and rest.endswith(".png"):
        name = rest[7:-4]
        sizes = {f"icon-{n}": n for n in ICON_SIZES} | {"logo": 120} | {s: 24 for s in SHARE_ICONS} \
            | {n[:-4]: 40 for n in CSS_IMAGES}
        if name in sizes:
            return png(sizes[name], name), PNG, True
    return None


def is_photo_path(path: str) -> bool:
    return bool(_PHOTO_PATH.fullmatch(path))


def photo_url(path: str) -> str:
    """The canonical URL of a photo served at `path` (the image host's)."""
    return f"https://{IMAGE_HOST}{path}"


def requisite_paths() -> list[str]:
    """Every /assets/ file an article page needs, directly or through its stylesheets (the crawl's ground truth)."""
    paths = [f"/assets/css/{name}.css" for name in STYLESHEETS] + ["/assets/css/fonts.css"]
    paths += [f"/assets/js/{name}.js" for name in SCRIPTS] + ["/assets/js/footer.js"]
    paths += [f"/assets/images/icon-{n}.png" for n in ICON_SIZES] + ["/assets/images/logo.png"]
    paths += [f"/assets/images/{name}.png" for name in SHARE_ICONS]
    paths += [f"/assets/fonts/{name}" for name in FONTS] + [f"/assets/images/{name}" for name in CSS_IMAGES]
    return paths
