import re
from xml.etree import ElementTree

import segno

from pracha.payments.qr import qr_svg

PAYLOAD = "00020101021130550016A0000006770101120115099999999999990021211122233344453037645802TH63043EE7"
SVG = "{http://www.w3.org/2000/svg}"


def drawn_modules(svg: str) -> list[list[int]]:
    """The dark modules of segno's one-path SVG ("M4 4.5h7m1 0h1..."), as a matrix of 0 and 1."""
    root = ElementTree.fromstring(svg)
    size = int(root.get("viewBox", "").split()[2])
    matrix = [[0] * size for _ in range(size)]
    path = next(p for p in root.iter(f"{SVG}path") if p.get("stroke"))
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.get("d", "")):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x + float(first))):
                matrix[int(y)][column] = 1
            x += float(first)
    return matrix


def test_qr_svg_is_an_accessible_inline_svg():
    svg = qr_svg(PAYLOAD, title="ชำระเงิน <BILL-2569-000123> & co")
    assert svg.startswith('<svg role="img" width="270" height="270" ')
    assert "<?xml" not in svg
    root = ElementTree.fromstring(svg)
    assert root.get("class") == "promptpay-qr"
    assert root.get("viewBox") == "0 0 45 45"
    assert root.find(f"{SVG}title").text == "ชำระเงิน <BILL-2569-000123> & co"


def test_qr_svg_draws_the_payload_at_error_correction_m():
    expected = segno.make_qr(PAYLOAD, error="m", boost_error=False)
    assert (expected.version, expected.error) == (5, "M")
    border = [[0] * 45 for _ in range(4)]
    rows = [[0] * 4 + list(row) + [0] * 4 for row in expected.matrix]
    assert drawn_modules(qr_svg(PAYLOAD, title="QR")) == border + rows + border
