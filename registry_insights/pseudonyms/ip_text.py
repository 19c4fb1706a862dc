"""One spelling per IP address, in Python: the reference of the `normalise_ip` macro.

An independent implementation with `ipaddress` (the macro parses text with list
functions): IPv4-mapped IPv6 becomes IPv4, IPv6 is written as RFC 5952 says (what
`str(ipaddress.IPv6Address(...))` gives). Blanks around and a zone suffix are dropped.
"""

from __future__ import annotations

import ipaddress


def canonical_ip(text: str) -> str | None:
    """The address's canonical text, or None when the text is no IP address."""
    candidate = text.strip(" ").split("%", 1)[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def canonical_ip_or_text(text: str | None) -> str | None:
    """canonical_ip, keeping a text that is no IP address as it is (None stays None)."""
    if text is None:
        return None
    return canonical_ip(text) or text
