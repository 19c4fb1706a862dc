"""The page icon, drawn in memory (a rising line on a blue square): Streamlit serves
it from this server, where a Material or emoji icon would be fetched from a font or
emoji host on every page load, which fails offline."""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw

SIZE = 64


@cache
def page_icon() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, SIZE - 3, SIZE - 3), radius=12, fill=(31, 119, 180, 255))
    draw.line(
        [(12, 46), (26, 32), (36, 40), (52, 18)], fill=(255, 255, 255, 255), width=6, joint="curve"
    )
    return image
