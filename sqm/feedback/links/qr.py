"""QR-code images of rating codes (``segno``, pure Python): PNG and SVG files to print, and inline
SVG for the printable sheet. Error correction level M: a code still reads with 15 % of it
scuffed or covered."""

from __future__ import annotations

import io

import segno
from django.urls import reverse

from sqm.feedback.links.models import QrCode
from sqm.feedback.links.services import public_url


def code_url(code: QrCode) -> str:
    """The address the code points at: the public rating page of its token."""
    return public_url(reverse("feedback:links_qr", args=[code.token]))


def _make(code: QrCode) -> segno.QRCode:
    return segno.make(code_url(code), error="m")


def png(code: QrCode, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _make(code).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def svg(code: QrCode, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _make(code).save(out, kind="svg", scale=scale, border=4, xmldecl=True, title=code.label)
    return out.getvalue()


def svg_inline(code: QrCode) -> str:
    """An ``<svg>`` element for an HTML page, sized by CSS (no fixed width or height)."""
    return _make(code).svg_inline(scale=1, border=2, omitsize=True)
