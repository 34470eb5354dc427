"""Storage URLs as people see them: the one place a URL is rendered, with its password masked.

Every message, log line, report and stored attribute that names a storage goes through
:func:`display_url`; text that may quote a URL (a driver's error message) goes through
:func:`hide_password`.

Example:
    >>> display_url("postgresql://postgres:secretpw@db:5432/test")
    'postgresql://postgres:***@db:5432/test'
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

__all__ = ["MASK", "display_url", "hide_password"]

MASK = "***"
"""What a password is shown as."""

# scheme://user:password@host — the password runs to the last '@' before the host.
_USERINFO = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@]*:)(?P<pw>.*)@(?P<rest>[^@]*)$")
_QUERY = re.compile(r"(?P<key>[?&]password=)(?P<pw>[^&]*)", re.IGNORECASE)


def _passwords(url: str) -> list[str]:
    """The password(s) in ``url`` as written and decoded, longest first."""
    found = []
    match = _USERINFO.match(url)
    if match and match.group("pw"):
        found.append(match.group("pw"))
    found += [m.group("pw") for m in _QUERY.finditer(url) if m.group("pw")]
    forms = {form for pw in found for form in (pw, unquote(pw), quote(unquote(pw), safe=""))}
    return sorted((f for f in forms if f), key=len, reverse=True)


def display_url(url: str) -> str:
    """``url`` with any password replaced by ``***``; other URLs unchanged.

    Example:
        >>> display_url("sqlite:///rocket.db")
        'sqlite:///rocket.db'
        >>> display_url("postgresql+psycopg2://u:p%40ss@h/db?password=x")
        'postgresql+psycopg2://u:***@h/db?password=***'
    """
    url = str(url)
    match = _USERINFO.match(url)
    if match and match.group("pw"):
        url = f"{match.group('head')}{MASK}@{match.group('rest')}"
    return _QUERY.sub(lambda m: m.group("key") + MASK, url)


def hide_password(text: str, url: str) -> str:
    """``text`` with every form of ``url``'s password masked (for a driver's message).

    Example:
        >>> hide_password("bad login 'hunter2' for u:hunter2@h", "postgresql://u:hunter2@h/db")
        "bad login '***' for u:***@h"
    """
    text = str(text)
    url = str(url)
    if url in text:
        text = text.replace(url, display_url(url))
    for secret in _passwords(url):
        text = text.replace(secret, MASK)
    return text
