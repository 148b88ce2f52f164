"""The furniture every page of the site wears: head links, menus, scripts, footer.

It is most of a real page's weight (a real article page is 40-50 KB, the
article itself a few), and it is full of links and text that are not the
article: a crawler must find its way by the URL pattern and a parser by
position, not by grabbing the first thing that looks right.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape

from newsarchive.site.urls import SECTIONS, SITE
from tests.site.assets import ICON_SIZES, SCRIPTS, STYLESHEETS, VERSION

LOGO = f"{SITE}/assets/images/logo.png"

_SUBMENUS = {
    "front": ["Front Page"], "taiwan": ["Politics", "Society", "Environment", "Health", "Education"],
    "biz": ["Markets", "Tech", "Industry", "Property"], "editorials": ["Editorials", "Letters", "Opinion"],
    "sport": ["Baseball", "Basketball", "Soccer", "Tennis", "Golf"], "world": ["Asia", "Americas", "Europe"],
    "feat": ["Arts", "Books", "Life", "Travel", "Food"], "lang": ["Learn English", "Quiz"],
}
_AD_SLOTS = ["ad-TOP", "ad-IR1", "ad-IR2", "ad-IR3", "ad-R1", "ad-R2", "ad-R3", "ad-B1", "ad-B2", "ad-FOOT",
             "ad-MOB1", "ad-MOB2", "ad-MOB3", "ad-ANCHOR", "ad-INTER"]
#: a long icon path, as inline SVGs carry them
_ICON_PATH = " ".join(f"M{i * 3 % 24}.{i % 10} {i * 7 % 24}.{i % 9}l{i % 5}.5-{i % 4}.25c.{i % 8} 0 1.{i % 6}-.5 2-1z"
                      for i in range(60))


def absolute(path: str) -> str:
    return SITE + path


def _scripts_block() -> str:
    slots = "\n".join(
        f"    googletag.defineSlot('/1009358/taipeitimes_{slot.lower()}', [[300, 250], [336, 280], [728, 90]], "
        f"'{slot}').addService(googletag.pubads()).setTargeting('pos', '{slot[3:].lower()}');"
        for slot in _AD_SLOTS)
    return f"""<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>
<script>
  window.googletag = window.googletag || {{cmd: []}};
  googletag.cmd.push(function() {{
{slots}
    googletag.pubads().enableSingleRequest();
    googletag.pubads().collapseEmptyDivs();
    googletag.pubads().setCentering(true);
    googletag.enableServices();
  }});
  function displayDFP(id, kind) {{ googletag.cmd.push(function() {{ googletag.display(id); }}); }}
</script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-XXXXXXXX"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){{dataLayer.push(arguments);}}
  gtag('js', new Date()); gtag('config', 'G-XXXXXXXX', {{ 'anonymize_ip': true }});
  var _comscore = _comscore || []; _comscore.push({{ c1: "2", c2: "00000000" }});
  (function() {{ var s = document.createElement("script"), el = document.getElementsByTagName("script")[0];
    s.async = true; s.src = "https://sb.scorecardresearch.com/cs/00000000/beacon.js";
    el.parentNode.insertBefore(s, el); }})();
</script>"""


def _inline_style() -> str:
    """The critical CSS the site inlines in every page's head."""
    rules = []
    for n, sel in enumerate(["header", ".menu", ".mainmenu li", ".submenu", ".archives h1", ".archives h2",
                             ".archives p", ".imgboxa", ".imgboxa h1", ".imgboxa p", ".boxTitle", ".boxText",
                             ".sh li", ".fbsbox", "#right_blake", ".popular li", ".dbox2", ".archivesd li",
                             ".searchbox li", ".page a", ".footer", ".footer .col", ".gotop", ".ad", ".where li"]):
        for bp in ("", "@media (max-width: 768px)", "@media (max-width: 480px)"):
            body = (f"{sel}{{margin:{n % 4}px {n % 7}px;padding:{n % 5}px {n % 3}px;font-size:{12 + n % 9}px;"
                    f"line-height:1.{n % 9};color:#{(n * 123457) % 0xFFFFFF:06x};"
                    f"border-bottom:1px solid #e{n % 10}e{n % 10}e{n % 10}}}")
            rules.append(f"{bp}{{{body}}}" if bp else body)
    return "<style>\n" + "\n".join(rules) + "\n</style>"


@lru_cache(maxsize=1)
def head_assets() -> str:
    """The site's own stylesheets (relative to the base href), scripts (absolute) and icons, and third parties':
    a web font stylesheet, connections warmed up for the ad server, the social widgets' SDK."""
    css = "\n".join(f'<link rel="stylesheet" href="assets/css/{name}.css?{VERSION}">' for name in STYLESHEETS)
    js = "\n".join(f'<script src="https://www.taipeitimes.com/assets/js/{name}.js?{VERSION}"></script>'
                   for name in SCRIPTS)
    icons = "\n".join(f'<link rel="icon" sizes="{n}x{n}" href="assets/images/icon-{n}.png">' for n in ICON_SIZES)
    third = ('<link rel="preconnect" href="https://securepubads.g.doubleclick.net">\n'
             '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Noto+Sans+TC&amp;display=swap">\n'
             '<script async defer crossorigin="anonymous" '
             'src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&amp;version=v18.0"></script>')
    return f"{css}\n{third}\n{icons}\n{_inline_style()}\n{js}\n{_scripts_block()}"


def head(title: str, meta: list[tuple[str, str, str]], json_ld: dict | None = None) -> str:
    """<head>: title, (attr, key, content) meta tags, the base href, assets, optional JSON-LD."""
    tags = "\n".join(f'<meta {attr}="{key}" content="{escape(content)}">' for attr, key, content in meta)
    ld = ""
    if json_ld is not None:
        ld = ('<script type="application/ld+json">'
              + json.dumps(json_ld, ensure_ascii=False, indent=2).replace("</", "<\\/") + "</script>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>{escape(title)}</title>
{tags}
<meta property="og:site_name" content="Taipei Times">
<meta property="fb:app_id" content="000000000000000">
<meta name="twitter:site" content="@TaipeiTimes">
<base href="https://www.taipeitimes.com/">
{head_assets()}
{ld}
</head>"""


@lru_cache(maxsize=16)
def menus(active: str | None) -> str:
    """Desktop and mobile menus; half the links relative to the base href, half absolute."""
    items = []
    for n, (slug, name) in enumerate(SECTIONS.items()):
        href = f"News/{slug}" if n % 2 else absolute(f"/News/{slug}")
        subs = "".join(f'<li><a href="{href}#{sub.lower().replace(" ", "-")}">{escape(sub)}</a></li>'
                       for sub in _SUBMENUS[slug])
        cls = ' class="active"' if slug == active else ""
        items.append(f'<li{cls}><a href="{href}">{escape(name)}</a><ul class="submenu">{subs}</ul></li>')
    desktop = "\n".join(items)
    mobile = "\n".join(f'<li><a href="{absolute("/News/" + slug)}"><span>{escape(name)}</span></a></li>'
                       for slug, name in SECTIONS.items())
    return f"""<body>
<div id="fb-root"></div>
<div class="topbar"><ul class="toplinks">
<li><a href="https://www.taipeitimes.com/">Home</a></li><li><a href="xml/index.rss">RSS</a></li>
<li><a href="https://www.taipeitimes.com/News/list?section=all">Search</a></li>
<li><a href="https://www.facebook.com/taipeitimes" rel="noopener">Facebook</a></li>
<li><a href="https://twitter.com/TaipeiTimes" rel="noopener">Twitter</a></li>
<li><a href="https://www.taipeitimes.com/About/subscribe">Subscribe</a></li>
<li><a href="https://www.taipeitimes.com/About/advertise">Advertise</a></li></ul>
<div class="date"><span id="today"></span></div></div>
<header class="header"><div class="logo"><a href="https://www.taipeitimes.com/"><img src="{LOGO}" alt="Taipei Times"></a></div>
<div class="searchbar"><form action="News/list" method="get"><input type="hidden" name="section" value="all">
<input type="text" name="keywords" placeholder="Search"><button type="submit">
<svg viewBox="0 0 24 24" width="18" height="18"><path d="{_ICON_PATH}"/></svg></button></form></div></header>
<nav class="menu"><ul class="mainmenu">
{desktop}
</ul></nav>
<nav class="mobmenu"><div class="hamburger"><span></span><span></span><span></span></div><ul>
{mobile}
</ul></nav>
<div id="ad-TOP" class="boxTitle ad top pc"><script>displayDFP('ad-TOP','top');</script></div>"""


def right_column(popular: list[tuple[str, str, str]]) -> str:
    """#right_blake: Most Popular (other articles' links, headlines and leads) and ads."""
    rows = "\n".join(f'<li><a href="{href}"><span class="num">{n}</span><p>{escape(title)}</p>'
                     f'<span class="lead">{escape(lead)}</span></a></li>'
                     for n, (href, title, lead) in enumerate(popular, 1))
    return f"""<div id="right_blake">
<div id="ad-R1" class="boxTitle ad r pc"><script>displayDFP('ad-R1','r');</script></div>
<div class="popular boxTitle"><h3>Most Popular</h3><ul class="poplist">
{rows}
</ul></div>
<div id="ad-R2" class="boxTitle ad r pc"><script>displayDFP('ad-R2','r');</script></div>
<div class="fbpage"><div class="fb-page" data-href="https://www.facebook.com/taipeitimes" data-width="300"
 data-small-header="false" data-adapt-container-width="true" data-hide-cover="false"></div></div>
<div id="ad-R3" class="boxTitle ad r pc"><script>displayDFP('ad-R3','r');</script></div>
</div>"""


@lru_cache(maxsize=1)
def footer() -> str:
    sections = "".join(f'<li><a href="News/{slug}">{escape(name)}</a></li>' for slug, name in SECTIONS.items())
    about = "".join(f'<li><a href="https://www.taipeitimes.com/About/{page}">{title}</a></li>' for page, title in [
        ("about", "About Us"), ("contact", "Contact Us"), ("privacy", "Privacy Policy"),
        ("terms", "Terms of Use"), ("subscribe", "Subscribe"), ("advertise", "Advertise"), ("jobs", "Jobs")])
    return f"""<div id="ad-B1" class="boxTitle ad b"><script>displayDFP('ad-B1','b');</script></div>
<footer class="footer"><div class="container"><div class="row">
<div class="col"><h4>Sections</h4><ul>{sections}</ul></div>
<div class="col"><h4>Taipei Times</h4><ul>{about}</ul></div>
<div class="col"><h4>Follow</h4><ul class="social">
<li><a href="https://www.facebook.com/taipeitimes"><svg viewBox="0 0 24 24"><path d="{_ICON_PATH}"/></svg></a></li>
<li><a href="https://twitter.com/TaipeiTimes"><svg viewBox="0 0 24 24"><path d="{_ICON_PATH}"/></svg></a></li>
</ul></div></div>
<p class="copyright">Copyright &copy; 1999-2024 The Taipei Times. All rights reserved.</p>
</div></footer>
<div id="ad-ANCHOR" class="ad anchor mob"><script>displayDFP('ad-ANCHOR','anchor');</script></div>
<a href="javascript:void(0)" id="gotop" class="gotop">TOP</a>
<script src="assets/js/footer.js?v=20241016"></script>
<noscript><img height="1" width="1" alt="" src="https://sb.scorecardresearch.com/p?c1=2&amp;c2=00000000&amp;cv=3.6&amp;cj=1"></noscript>
</body>
</html>"""


def share_buttons(url: str, title: str) -> str:
    """ul.sh: share links with their own text and images (a byline parser must not read them)."""
    t = escape(title)
    return f"""<ul class="sh">
<li><a href="https://www.facebook.com/sharer/sharer.php?u={url}" target="_blank" rel="noopener" title="Share on Facebook">
<img src="assets/images/fb.png" alt="Facebook">Share</a></li>
<li><a href="https://twitter.com/intent/tweet?url={url}&amp;text={t}" target="_blank" rel="noopener" title="Tweet">
<img src="assets/images/tw.png" alt="Twitter">Tweet</a></li>
<li><a href="https://social-plugins.line.me/lineit/share?url={url}" target="_blank" rel="noopener">
<img src="assets/images/line.png" alt="LINE">LINE</a></li>
<li><a href="mailto:?subject={t}&amp;body={url}"><img src="assets/images/mail.png" alt="Email">Email</a></li>
<li><a href="javascript:window.print()"><img src="assets/images/print.png" alt="Print">Print</a></li>
<li class="fontsize"><a href="javascript:void(0)" data-size="+">A+</a><a href="javascript:void(0)" data-size="-">A-</a></li>
</ul>"""
