"""Hypothesis strategies of IP address texts in every spelling (for the IP macros' tests)."""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

IPV4_MAPPED_PREFIX = 0xFFFF << 32
JUNK_ALPHABET = "0123456789abcdefABCDEFg:.% -"


# Spellings and the canonical text Python's `ipaddress` gives them (None: not an address).
CANONICAL_EXAMPLES: list[tuple[str, str | None]] = [
    ("::ffff:1.2.3.4", "1.2.3.4"),
    ("::FFFF:0102:0304", "1.2.3.4"),
    ("0:0:0:0:0:ffff:1.2.3.4", "1.2.3.4"),
    ("2001:0DB8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),  # first on ties
    ("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"),  # the longer run
    ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  # one zero group stays
    ("0:0:0:0:0:0:0:0", "::"),
    ("0:0:0:0:0:0:0:1", "::1"),
    ("1:0:0:0:0:0:0:0", "1::"),
    ("::1.2.3.4", "::102:304"),
    ("fe80::1%eth0", "fe80::1"),
    (" 10.0.0.1 ", "10.0.0.1"),
    ("256.0.0.1", None),
    ("01.2.3.4", None),
    ("not-an-ip", None),
]


def mixed_case(text: str, flips: list[bool]) -> str:
    padded = flips + [False] * (len(text) - len(flips))
    return "".join(char.upper() if flip else char for char, flip in zip(text, padded, strict=True))


def with_leading_zeros(groups: list[str], pads: list[int]) -> list[str]:
    """Groups written with up to four digits (`db8` as `0db8`), as RFC 4291 allows."""
    padded = pads + [0] * (len(groups) - len(pads))
    return [group.lstrip("0").rjust(min(4, len(group.lstrip("0")) + pad), "0") or "0"
            for group, pad in zip(groups, padded, strict=True)]  # fmt: skip


@st.composite
def ipv4_texts(draw: st.DrawFn) -> str:
    address = ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1)))
    mapped = ipaddress.IPv6Address(IPV4_MAPPED_PREFIX | int(address))
    forms = [
        str(address),
        f"::ffff:{address}",
        f"::FFFF:{address}",
        mapped.compressed,
        mapped.exploded,
        mapped.exploded.upper(),
        f"0:0:0:0:0:ffff:{address}",
        f"0000:0000:0000:0000:0000:FFFF:{address}",
        f" {address} ",
        f"{address}%eth0",
    ]
    return draw(st.sampled_from(forms))


@st.composite
def ipv6_texts(draw: st.DrawFn) -> str:
    value = draw(
        st.one_of(
            st.integers(0, 2**128 - 1),
            # Addresses with runs of zero groups, where `::` compression has choices.
            st.lists(st.sampled_from([0, 0, 0, 1, 0xFFFF, 0xABC]), min_size=8, max_size=8).map(
                lambda groups: int("".join(f"{group:04x}" for group in groups), 16)
            ),
        )
    )
    address = ipaddress.IPv6Address(value)
    groups = address.exploded.split(":")
    tail_v4 = ipaddress.IPv4Address(value & 0xFFFFFFFF)
    pads = draw(st.lists(st.integers(0, 3), max_size=8))
    forms = [
        address.compressed,
        address.exploded,
        ":".join(group.lstrip("0") or "0" for group in groups),  # full, no leading zeros
        ":".join(with_leading_zeros(groups, pads)),  # some leading zeros kept
        ":".join(groups[:6]) + f":{tail_v4}",  # embedded IPv4 tail
        f"{address.compressed}%eth0",
        f" {address.compressed} ",
    ]
    text = draw(st.sampled_from(forms))
    return mixed_case(text, draw(st.lists(st.booleans(), max_size=len(text))))


def ip_texts() -> st.SearchStrategy[str]:
    """IPv4, IPv4-mapped and IPv6 texts in every spelling, and junk."""
    return st.one_of(ipv4_texts(), ipv6_texts(), st.text(JUNK_ALPHABET, max_size=45))
