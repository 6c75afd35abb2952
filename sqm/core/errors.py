"""The one domain error type of SQM.

Services raise :class:`DomainError` when a request breaks a business rule. The API maps it to a
400 response with the field and message (see ``sqm.api``); the UI maps it onto form errors
(see :func:`sqm.core.forms.apply_domain_error`). Messages are lazy translations, so they come
out in the language of whoever reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NON_FIELD = "__all__"


class DomainError(Exception):
    """A business rule was broken; nothing was written."""

    def __init__(
        self,
        message: Any = None,
        *,
        field: str | None = None,
        code: str = "invalid",
        errors: Mapping[str, list[Any]] | None = None,
    ) -> None:
        if errors is None:
            errors = {field or NON_FIELD: [message]}
        self.errors: dict[str, list[Any]] = {k: list(v) for k, v in errors.items()}
        self.code = code
        super().__init__(self.as_text())

    def messages_text(self) -> str:
        """The messages alone, for a page banner where the form fields are not shown."""
        return " ".join(str(msg) for msgs in self.errors.values() for msg in msgs)

    def as_text(self) -> str:
        return "; ".join(f"{field}: {msg}" for field, msgs in self.errors.items() for msg in msgs)

    def as_list(self) -> list[dict[str, str]]:
        """Errors as ``[{"field": ..., "message": ..., "code": ...}]`` in the active language."""
        return [
            {"field": field, "message": str(msg), "code": self.code}
            for field, msgs in self.errors.items()
            for msg in msgs
        ]


class PermissionDeniedError(DomainError):
    """The acting user's role may not do this."""

    def __init__(self, message: Any = None) -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__(message or _("Your role does not allow this."), code="permission_denied")
