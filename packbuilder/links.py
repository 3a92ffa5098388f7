"""Links that are safe to print: https (or mailto), no tracking parameters."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that identify a click or a campaign, never the page.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_eid|mc_cid|igshid|"
    r"yclid|twclid|ttclid|li_fat_id|_hsenc|_hsmi|mkt_tok|oly_enc_id|oly_anon_id|vero_id|"
    r"rb_clickid|s_cid|ref_src)$",
    re.IGNORECASE,
)
#: Shorteners log the time, device and place of each scan.
SHORTENERS = frozenset({
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
    "cutt.ly", "shorturl.at", "tiny.cc", "lnkd.in", "rb.gy", "s.id", "qrco.de", "bl.ink",
})
ALLOWED_SCHEMES = ("https", "mailto")


def strip_tracking(url: str) -> str:
    """Return ``url`` without tracking query parameters (and without an empty ``?``)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="%/:")))


def link_problem(url: str) -> str | None:
    """Return why ``url`` must not be printed, with the fix, or None when it is fine."""
    try:
        return _link_problem(url)
    except ValueError as exc:                 # urlsplit: a bracketed host that is not an address
        return f"link {url[:200]!r} is not a valid address ({exc})"


def _link_problem(url: str) -> str | None:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        if scheme == "http":
            return (f"link {url!r} uses http://; printed links must use https:// "
                    f"(use {urlunsplit(parts._replace(scheme='https'))!r} if the site serves it)")
        return f"link {url!r} uses the scheme {scheme or '(none)'!r}; only https:// and mailto: links are printed"
    if scheme == "https":
        host = (parts.hostname or "").lower()
        if not host:
            return f"link {url!r} has no host"
        if host in SHORTENERS or host.removeprefix("www.") in SHORTENERS:
            return f"link {url!r} goes through the URL shortener {host}, which logs every scan; link to the page itself"
        clean = strip_tracking(url)
        if clean != url:
            return f"link {url!r} carries tracking parameters; use {clean!r}"
    return None
