"""The QR code image of a payload, as inline SVG for the bill page."""

import io

import segno

# Pixels per module when no style sizes the image: a bill's code (version 5 to 7) comes out
# 270-330 px wide, comfortably scannable from a phone screen or a printed page.
MODULE_PIXELS = 6
SVG_CLASS = "promptpay-qr"


def qr_svg(payload: str, *, title: str) -> str:
    """An <svg> element (no XML declaration) with `title` as its accessible name, error correction M,
    a white quiet zone so it scans on a dark page too, and class "promptpay-qr" for styling. It has a
    viewBox, so CSS may resize it (width: 100%; height: auto)."""
    code = segno.make_qr(payload, error="m", boost_error=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        title=title,  # segno escapes it
        svgclass=SVG_CLASS,
        lineclass=None,
        omitsize=True,
        dark="#000",
        light="#fff",
        nl=False,
    )
    width, height = code.symbol_size(scale=MODULE_PIXELS)
    return (
        out.getvalue()
        .decode("utf-8")
        .replace("<svg ", f'<svg role="img" width="{width}" height="{height}" ', 1)
    )
