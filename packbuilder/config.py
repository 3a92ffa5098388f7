"""Pack configuration: what to build, validated once, every error at once."""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError

from .errors import ConfigError, Problem
from .brand import CREDIT_KEYS, Brand, parse_brand, parse_services
from .links import link_problem
from .trust import allowed_roots, confine, escaping_links

PAPERS = {"letter": "letter", "a4": "A4"}
KNOWN = {
    "pack": {"name", "title", "languages", "documents", "paper", "use"},
    "brand": {"name", "logo", "primary", "accent", "contact", "discreet", "revealing_words", "discreet_name",
              "discreet_phone", "contact_on"} | CREDIT_KEYS,
    "services": set(),
    "paths": {"content", "locales", "layouts", "assets"},
    "cards": {"include", "size", "sheets"},
    "activities": {"include", "site_url", "allow_missing_audio", "audio"},
}
CARD_SIZES = ("business-us", "id-1")
MAX_CONFIG = 256 * 1024          # a pack config is a page of settings, not a data file
MAX_QR_URL = 500                 # a longer link makes a QR code too dense to scan from paper
DEFAULT_PATHS = {"content": "../content", "locales": "../locales",
                 "layouts": "../layouts", "assets": "../assets"}
#: Where an audio link leads: the recording itself, or a website (what the sheet then says).
LEADS_TO = ("recording", "website")


@dataclass(frozen=True)
class Pack:
    """A validated pack: what to build and where its inputs live."""

    path: Path
    name: str
    title: str
    languages: tuple[str, ...]
    documents: tuple[str, ...]
    paper: str
    content_dir: Path
    locales_dir: Path
    layouts_dir: Path
    assets_dir: Path
    cards: tuple[str, ...] = ()
    card_size: str = "business-us"
    sheets: tuple[str, ...] = ("letter", "a4")

    brand: Brand = field(default_factory=Brand)
    services: tuple = ()
    use: str = "non-commercial"
    activities: tuple[str, ...] = ()
    site_url: str = ""
    allow_missing_audio: bool = False
    audio: dict = field(default_factory=dict)     # activity -> {lang: url, "fallback": [...], "note": str,
                                                  #              "leads_to": "recording" | "website"}
    roots: tuple[Path, ...] | None = ()           # folders the pack may read; None: trusted (--trust-pack)
    titles: dict = field(default_factory=dict)    # [pack.title] per language (title is the English)
    warnings: tuple[str, ...] = ()                # what the config lacks but can build without

    def title_in(self, lang: str) -> str:
        """Return the pack's title in ``lang``, or the English one."""
        return self.titles.get(lang) or self.title

    @property
    def domains(self) -> list[str]:
        """Every catalog of the pack: its documents and cards (the ui catalog aside)."""
        return [*self.documents, *self.cards]


def parse_language(code: str) -> Locale:
    """Return the Babel locale for a catalog language code such as 'zh_Hans' or 'es'."""
    return Locale.parse(code)


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _unknown_keys(data: dict, text: str, path: Path, problems: list[Problem]) -> None:
    for table, value in data.items():
        if table == "services" and isinstance(value, list):
            continue                                # [[services]]: checked by parse_services
        if table not in KNOWN:
            hint = difflib.get_close_matches(table, KNOWN, n=1)
            problems.append(Problem(f"unknown section [{table}]" +
                                    (f"; did you mean [{hint[0]}]?" if hint else ""), path,
                                    _line_of(text, f"[{table}") or None))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(f"'{table}' must be a table ([{table}])", path, _line_of(text, table)))
            continue
        for key in value:
            if key not in KNOWN[table]:
                hint = difflib.get_close_matches(key, KNOWN[table], n=1)
                problems.append(Problem(f"Config value '{table}.{key}': unknown key" +
                                        (f"; did you mean '{hint[0]}'?" if hint else ""),
                                        path, _line_of(text, key)))


def qr_link_problem(url: str, limit: int) -> str | None:
    """Return why ``url`` cannot be a QR code's target (see link_problem), or None."""
    if len(url) > limit:
        return (f"the link is {len(url):,} characters long; a QR code holding more than {limit} is too "
                "dense to scan from paper; use a shorter link")
    return link_problem(url)


def str_list(value, key: str, message: str, bad) -> list[str]:  # type: ignore[no-untyped-def]
    """Return ``value`` if it is a list of strings; otherwise report ``message`` and return []."""
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return value
    bad(key, message)
    return []


def read_config(path: Path) -> tuple[str, dict]:
    """Return the text and the data of a pack config: a regular file, small, UTF-8, TOML."""
    import stat
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"the pack config {path} is not a regular file; name a .toml file", path=path)
        if info.st_size > MAX_CONFIG:
            raise ConfigError(f"the pack config is {info.st_size // 1024} KB; a pack config is under "
                              f"{MAX_CONFIG // 1024} KB of settings", path=path)
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"pack config not found: {path}", path=path) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            line = re.search(r"line (\d+)", str(exc))
            raise ConfigError(f"not valid TOML: {exc}", path=path,
                              lineno=int(line.group(1)) if line else None) from None
        raise ConfigError(f"cannot read pack config: {exc}", path=path) from None
    except RecursionError:
        raise ConfigError("the pack config nests tables or lists too deeply; a pack config is a few "
                          "flat tables", path=path) from None


def load_pack(path: Path, trust: bool = False) -> Pack:
    """Return the pack described by the TOML file at ``path``, or raise ConfigError.

    Every folder and file it names must lie inside the pack's folder or packbuilder's own
    folders, after symlinks (``trust`` lifts that, for a maintainer's own checkout).
    """
    path = Path(path)
    if "\0" in str(path):
        raise ConfigError("the pack config's path contains a NUL character", path=str(path).replace("\0", "?"))
    text, data = read_config(path)
    roots = None if trust else allowed_roots(path.parent)
    problems: list[Problem] = []
    _unknown_keys(data, text, path, problems)
    pack = data.get("pack") if isinstance(data.get("pack"), dict) else {}
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}

    def bad(key: str, message: str) -> None:
        problems.append(Problem(f"Config value '{key}': {message}", path,
                                _line_of(text, key.rsplit(".", 1)[-1])))

    name = pack.get("name", path.stem)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        bad("pack.name", f"{name!r} must be a plain folder name (letters, digits, - _ .)")
    title = pack.get("title", "")
    titles: dict[str, str] = {}
    if isinstance(title, dict):                 # [pack.title]: a title per language
        titles = {k: v for k, v in title.items() if isinstance(v, str) and v.strip()}
        for key in sorted(set(title) - set(titles)):
            bad(f"pack.title.{key}", "must be a non-empty string")
        title = titles.get("en") or next(iter(titles.values()), "")
    elif not isinstance(title, str):
        bad("pack.title", "must be a string, or a table of language = \"title\"")
        title = ""
    languages = pack.get("languages", ["en"])
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) for x in languages):
        bad("pack.languages", "must be a non-empty list of language codes such as [\"en\", \"es\"]")
        languages = []
    for code in languages:
        try:
            parse_language(code)
        except (ValueError, UnknownLocaleError):
            bad("pack.languages", f"{code!r} is not a language code Babel knows (e.g. en, es, zh_Hans)")
    if len(set(languages)) != len(languages):
        bad("pack.languages", "lists a language twice")
    unused = tuple(f"Config value 'pack.title.{key}': the pack does not list {key!r} in [pack] languages, "
                   "so this title is not used" for key in sorted(set(titles) - set(languages) - {"en"}))
    warnings = unused + tuple(f"Config value 'pack.title': no {code} title; the {code} pages show "
                              f"“{title}”. Add {code} = \"…\" under [pack.title]" for code in languages
                              if code != "en" and titles.get(code) is None and title)
    documents = pack.get("documents", [])
    if not isinstance(documents, list) or not documents or not all(isinstance(x, str) for x in documents):
        bad("pack.documents", "must be a non-empty list of document ids from the content folder")
        documents = []
    paper = pack.get("paper", "letter")
    if not isinstance(paper, str) or paper not in PAPERS:
        bad("pack.paper", f"{paper!r} is not one of {', '.join(PAPERS)}")
    cards = data.get("cards") if isinstance(data.get("cards"), dict) else {}
    include = str_list(cards.get("include", []), "cards.include",
                       "must be a list of card ids from the content folder", bad)
    card_size = cards.get("size", "business-us")
    if not isinstance(card_size, str) or card_size not in CARD_SIZES:
        bad("cards.size", f"{card_size!r} is not one of {', '.join(CARD_SIZES)}")
    sheets = cards.get("sheets", ["letter", "a4"])
    if not isinstance(sheets, list) or any(not isinstance(p, str) or p not in PAPERS for p in sheets):
        bad("cards.sheets", f"{sheets!r} must be a list of paper sizes from {', '.join(PAPERS)}")
        sheets = []
    acts = data.get("activities") if isinstance(data.get("activities"), dict) else {}
    activities = str_list(acts.get("include", []), "activities.include",
                          "must be a list of activity names (e.g. \"listen-and-reflect\")", bad)
    site_url = acts.get("site_url", "")
    if not isinstance(site_url, str):
        bad("activities.site_url", "must be a string: an https:// address")
        site_url = ""
    if site_url and (why := qr_link_problem(site_url, MAX_QR_URL - 60)):
        bad("activities.site_url", why)
    audio = acts.get("audio", {})
    if not isinstance(audio, dict):
        bad("activities.audio", "must be a table of [activities.audio.<activity>] tables")
        audio = {}
    for act_name, table in audio.items():
        if not isinstance(table, dict):
            bad(f"activities.audio.{act_name}", "must be a table: language = \"https://…\", fallback = [\"en\"]")
            continue
        for key, value in table.items():
            if key == "fallback":
                if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                    bad(f"activities.audio.{act_name}.fallback", "must be a list of language codes")
            elif key == "note":
                if not isinstance(value, str):
                    bad(f"activities.audio.{act_name}.note", "must be a string")
            elif key == "leads_to":
                if value not in LEADS_TO:
                    bad(f"activities.audio.{act_name}.leads_to", f"{value!r} is not one of {', '.join(LEADS_TO)} "
                        "(say \"website\" when the link opens a site, not the recording itself)")
            elif not isinstance(value, str):
                bad(f"activities.audio.{act_name}.{key}", "must be an https:// URL")
            elif why := qr_link_problem(value, MAX_QR_URL):
                bad(f"activities.audio.{act_name}.{key}", why)
    use = pack.get("use", "non-commercial")
    if not isinstance(use, str) or use not in ("non-commercial", "commercial"):
        bad("pack.use", f"{use!r} is not one of non-commercial, commercial")
    brand_table = data.get("brand", {}) if isinstance(data.get("brand", {}), dict) else {}
    brand = parse_brand(brand_table, path.parent, bad, roots)
    services = parse_services(data.get("services", []), bad)
    resolved: dict[str, Path] = {}
    for key, default in DEFAULT_PATHS.items():
        value = paths.get(key, default)
        if not isinstance(value, str):
            bad(f"paths.{key}", "must be a path string")
            continue
        folder, why = confine(path.parent, value, roots)
        if key == "assets" and folder is None and "\0" not in value and not (path.parent / value).exists():
            folder, why = (path.parent / value).absolute(), ""         # no assets: nothing to read
        if folder is None:
            bad(f"paths.{key}", f"the path {value!r} {why}")
            continue
        if not folder.is_dir() and key != "assets":
            bad(f"paths.{key}", f"the path {value!r} isn't an existing folder (resolved to {folder})")
        elif roots is not None and folder.is_dir():
            for line in escaping_links(folder, roots):
                bad(f"paths.{key}", line)
        resolved[key] = folder
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in {path}", path=path, problems=problems)
    return Pack(path=path.resolve(), name=name, title=title or name, languages=tuple(languages),
                documents=tuple(documents), paper=paper, content_dir=resolved["content"],
                locales_dir=resolved["locales"], layouts_dir=resolved["layouts"],
                assets_dir=resolved["assets"], cards=tuple(include), card_size=card_size,
                sheets=tuple(sheets), activities=tuple(activities), site_url=site_url.rstrip("/"),
                allow_missing_audio=bool(acts.get("allow_missing_audio", False)), audio=audio,
                brand=brand, services=services, use=use, roots=roots, titles=titles, warnings=warnings)
