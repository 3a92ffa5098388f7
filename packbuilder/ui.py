"""Text the layouts print around the content, translated through the `ui` catalog."""
from __future__ import annotations

#: key -> (English, translator comment). Keys become msgctxt ``ui/<key>``.
STRINGS: dict[str, tuple[str, str]] = {
    "page": ("Page {page} of {pages}", "Page footer. Keep {page} and {pages} as they are."),
    "source": ("Source:", "Footer label before the source's title and author."),
    "draft": ("Draft translation — not yet reviewed by the community.",
              "Printed on every page until a fluent community reviewer has checked the catalog. "
              "Keep it short."),
    "credits-title": ("Credits and sources", "Title of the credits page."),
    "credits-intro": ("This pack adapts the following works. Please keep this page with the pack "
                      "and credit the sources when you share it.", "Credits page introduction."),
    "credits-title-label": ("Title", "Credits: label for a source's title."),
    "credits-author": ("Author", "Credits: label for the author or organisation."),
    "credits-url": ("Link", "Credits: label for the source's web address."),
    "credits-terms": ("Terms", "Credits: label for what the source asks of those who share it."),
    "credits-year": ("Year", "Credits: label for the year of the source."),
    "credits-changes": ("Changes", "Credits: label for what was changed (laid out, translated)."),
    "changes-en": ("Laid out for print by packbuilder; text as published.",
                   "Credits: what was changed, for the English edition."),
    "changes-translated": ("Translated from English into {language}.",
                           "Credits: what was changed. Keep {language}."),
    "status-draft": ("Draft translation, not yet reviewed by a fluent community reviewer.",
                     "Credits: review status of a draft translation."),
    "status-reviewed": ("Reviewed by {reviewer} on {date}.",
                        "Credits: review status. Keep {reviewer} and {date}."),
    "author-unknown": ("not named in the source", "Credits: shown when the source names no author."),
    "noncommercial": ("Not for commercial use.", "Credits: for sources whose terms forbid commercial use."),
    "built": ("Built on {date}.", "Credits footer. Keep {date}."),
    "contents": ("Contents", "Credits: heading of the list of documents in this language."),
    "fallback": ("{count} passage(s) of this document are not translated yet and are shown in English.",
                 "Credits: shown per document when some segments fell back to English. Keep {count}."),
}
