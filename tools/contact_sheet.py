"""Draw every card face of a built pack, all languages, into one PNG (the README's contact sheet).

    .venv/bin/python tools/contact_sheet.py dist/example-branded docs/branded-cards.png
"""
from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

SCALE = 110 / 72          # 110 dpi: legible, still small
PAD = 14


def faces(pdf: Path) -> list[Image.Image]:
    """Return each page of a card PDF as an image, cut to its trim box."""
    doc = pdfium.PdfDocument(str(pdf))
    images = []
    for page in doc:
        left, bottom, right, top = page.get_trimbox()
        image = page.render(scale=SCALE, crop=(left, bottom, page.get_width() - right,
                                               page.get_height() - top)).to_pil()
        images.append(image.convert("RGB"))
    return images


def main(pack: Path, out: Path) -> None:
    languages = sorted(p.name for p in pack.iterdir() if (p / "cards").is_dir())
    cards = sorted(p.name for p in (pack / languages[0] / "cards").glob("*.pdf") if "-sheet-" not in p.name)
    rows = [[(lang, card, face) for lang in languages for face in faces(pack / lang / "cards" / card)]
            for card in cards]
    width = max(sum(f.width + PAD for _, _, f in row) + PAD for row in rows)
    height = sum(max(f.height for _, _, f in row) + PAD + 16 for row in rows) + PAD
    sheet = Image.new("RGB", (width, height), "#d9d9d9")
    draw = ImageDraw.Draw(sheet)
    y = PAD
    for row in rows:
        x = PAD
        for lang, card, face in row:
            draw.text((x, y), f"{lang} · {card}", fill="#222")
            sheet.paste(face, (x, y + 14))
            x += face.width + PAD
        y += max(f.height for _, _, f in row) + PAD + 16
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    print(f"{out}: {len(cards)} cards × {len(languages)} languages, {width}×{height} px")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
