"""Serve the Plotly.js bundle that ships inside the ``plotly`` wheel as ``plotly/plotly.min.js``.

The dashboard's charts are drawn by Plotly.js in the browser from JSON built in Python; the
bundle comes from the installed package, so nothing is fetched from a CDN and the version is the
one pinned in requirements.txt. This finder is listed in ``STATICFILES_FINDERS``: WhiteNoise
serves the file from the package (``WHITENOISE_USE_FINDERS``) and ``collectstatic`` copies it.
The Python side of plotly is never imported.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PREFIX = "plotly"
FILES = ("plotly.min.js",)


def package_data() -> Path | None:
    """The folder of the installed plotly package holding the bundle (None when not installed)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "package_data"


class PlotlyFinder(BaseFinder):
    """Finds ``plotly/plotly.min.js`` in the installed ``plotly`` package."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.root = package_data()
        self.storage: FileSystemStorage | None = None
        if self.root is not None and self.root.is_dir():
            self.storage = FileSystemStorage(location=str(self.root))
            self.storage.prefix = PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[Error]:
        if self.root is None or not (self.root / FILES[0]).is_file():
            return [Error("The plotly package (with plotly.min.js) is not installed.", id="sqm.kpis.E001")]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        find_all = find_all or bool(kwargs.get("all"))
        name = path.removeprefix(PREFIX + "/") if path.startswith(PREFIX + "/") else None
        match = None
        if name in FILES and self.root is not None and (self.root / name).is_file():
            match = str(self.root / name)
        if find_all:
            return [match] if match else []
        return match

    def list(self, ignore_patterns: Any) -> Any:
        if self.storage is None:
            return
        for name in FILES:
            if self.storage.exists(name):
                yield name, self.storage
