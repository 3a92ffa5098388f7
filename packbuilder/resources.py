"""The local resources card: a card made from the pack's own [[services]], not from a source document."""
from __future__ import annotations

from .content import Document

RESOURCES = "local-resources"


def services_by_category(services) -> list[tuple[str, list]]:  # type: ignore[no-untyped-def]
    """Return the services grouped under the ui key of their category, in the seeds' order."""
    from .brand import CATEGORIES
    return [(ui_key, [s for s in services if s.category == cat]) for cat, ui_key in CATEGORIES.items()
            if any(s.category == cat for s in services)]


def resources_card(config):  # type: ignore[no-untyped-def]
    """Return the local resources card as a document whose source is the organisation itself."""
    from .content import Container, Segment, Source
    org = config.brand.name or "the organisation that distributes this pack"
    source = Source(title="Local resources", author=org,
                    terms="Local information provided by the organisation that distributes this pack.")
    title = Segment(f"{RESOURCES}/title", "Local resources", 1, "title", "", "card front", None)
    return Document(RESOURCES, "card", config.path, source, title, None,
                    (Container("front", "", ()), Container("back", "", ())), ())
