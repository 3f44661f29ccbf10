"""The refusal every reader raises for a file that cannot be used.

Its own module, free of pandas, so that the command line can name it without importing the
readers (``funnel_analytics.grid`` and ``funnel_analytics.reading`` re-export it).
"""

from __future__ import annotations

from .i18n import t

__all__ = ["UnusableFile"]


class UnusableFile(Exception):
    """The input cannot be used at all. ``reason`` is a message key; ``params`` fill it."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        params = dict(self.params)
        if "origin" in params:  # a proposed snapshot date: where it came from, in words
            params["origin_text"] = t(f"snapshot_origin_{params['origin']}", lang, **params)
        return t(self.reason, lang, **params)
