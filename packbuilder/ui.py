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
    "fallback-one": ("{count} passage of this document is not translated yet and is shown in English.",
                     "Credits: shown per document when segments fell back to English, when the language's "
                     "plural rule calls the number 'one' (in English: 1). Keep {count}."),
    "fallback-other": ("{count} passages of this document are not translated yet and are shown in English.",
                       "Credits: the same, for every other number (in Chinese, for all numbers). Keep {count}."),
    "condensed": ("Condensed into a card from “{title}”.",
                  "Credits: what was changed, for a card. Keep {title}."),
    "overflow": ("TEXT DOES NOT FIT — DRAFT, DO NOT PRINT",
                 "Stamped on a card face whose text is too long (only in --draft builds)."),
    "neutral-title": ("Health and safety information",
                      "Discreet mode: the neutral title on the outside of cards and covers. It must not "
                      "reveal what the material is about."),
    "adapted-by": ("Adapted and distributed by {organisation}", "Branded packs. Keep {organisation}."),
    "audio-language": ("The audio is in {language}.",
                       "Activity sheet: said when the audio is not in the reader's language. Keep {language}."),
    "scan-to-listen": ("Scan the code with a phone camera to listen, or type the address:",
                       "Activity sheet, next to the QR code."),
    "answer-key": ("Answer key", "Word search: title of the solution page."),
    "words-to-find": ("Words to find", "Word search: heading of the word list."),
    "your-notes": ("Your notes", "Activity sheet: heading above the lines to write on."),
    "contents-sheet": ("What is in this pack", "Pack contents sheet: title."),
    "how-to-print": ("How to print", "Pack contents sheet: heading."),
    "print-handouts": ("Handouts and activity sheets: print at 100% scale (actual size) on {paper} paper.",
                       "How to print. Keep {paper}."),
    "print-cards": ("Card sheets: print double-sided, flip on the long edge, at 100% scale; then cut "
                    "along the crop marks.", "How to print cards."),
    "print-folded": ("Folded cards: print double-sided, flip on the long edge, at 100% scale; cut along "
                     "the crop marks, then fold along the dashed marks with the title outside.",
                     "Sheet of discreet folded cards: how to print. Must not say what the cards are about."),
    "pages-one": ("{count} page", "Pack contents sheet: page count of a file, when the language's plural "
                  "rule calls the number 'one' (in English: 1). Keep {count}."),
    "pages-other": ("{count} pages", "Pack contents sheet: page count of a file, for every other number "
                    "(in Chinese, for all numbers). Keep {count}."),
    "format-handout": ("handout", "Pack contents sheet: the format of a material."),
    "format-card": ("card, front and back (print shop)", "Pack contents sheet: the format of a material."),
    "format-folded": ("folded card (print shop)", "Pack contents sheet: the format of a discreet card, "
                      "printed flat and folded in two."),
    "format-sheet": ("{paper} sheet (office printer)", "Pack contents sheet: a sheet of cards on office "
                     "paper. Keep {paper} (Letter or A4)."),
    "format-activity": ("activity sheet", "Pack contents sheet: the format of a material."),
    "format-credits": ("credits", "Pack contents sheet: the format of the credits file."),
    "format-contents": ("contents and how to print", "Pack index: this language's contents sheet."),
    "terms-footer": ("Please keep this credit when you share it; the source's terms are in the credits.",
                     "Page footer of translated pages, after the source's title (the terms themselves "
                     "stay in English in the credits)."),
    "local-resources": ("Local resources", "Title of the local resources card."),
    "phone": ("Phone", "Contact label."),
    "text-line": ("Text", "Contact label: a number to send text messages to."),
    "hours": ("Hours", "Contact label: opening hours."),
    "website": ("Website", "Contact label."),
    "opening-hours": ("{days} {times}", "Opening hours: the days (e.g. \"Tue and Thu\") and the times "
                      "(e.g. \"12:00–16:00\"), both already in your language. Keep {days} and {times}."),
    "day-range": ("{first}–{last}", "Opening hours: a run of days, e.g. \"Mon–Fri\". Keep {first} and {last}."),
    "cat-primary-care": ("Primary Care", "Service category, as the source names it."),
    "cat-mental-health": ("Mental Health and Peer Counseling", "Service category, as the source names it."),
    "cat-harm-reduction": ("Needle Exchange and Harm Reduction Supplies",
                           "Service category, as the source names it."),
    "cat-hiv-sti": ("HIV and Sexual Transmitted Infections (STI) Counseling & Testing",
                    "Service category, as the source names it."),
}
