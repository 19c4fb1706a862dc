"""One client, one key: the requests of one address written two ways (IPv4 and
IPv4-mapped IPv6; IPv6 compressed or not, upper or lower case) are one client's, in
the SQL model (staging's normalise_ip) and in the Python reference (ipaddress)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support.classification_harness import SqlClassifier, oracle_rows

from registry_insights.pseudonyms import load_secret, pseudonym
from registry_insights.pseudonyms.ip_text import canonical_ip
from registry_insights.pull_actions import ManifestRequest

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
START = datetime(2026, 6, 1, tzinfo=UTC)


def get_request(
    event_id: str,
    seconds: int,
    reference: str,
    digest: str,
    ip: str,
    *,
    repository: str = "acme/app",
    account_id: str | None = None,
) -> ManifestRequest:
    """A GET of a manifest, `seconds` after START, from one client."""
    return ManifestRequest(
        event_id=event_id,
        occurred_at=START + timedelta(seconds=seconds),
        http_method="GET",
        repository=repository,
        reference=reference,
        response_digest=digest,
        client_ip=ip,
        user_agent="docker/27",
        account_id=account_id,
    )


def tag_then_digest(first_ip: str, second_ip: str) -> list[ManifestRequest]:
    """A GET by tag from one spelling, the GET by digest of its platform image from the
    other: one pull when the spellings are one client, two actions otherwise."""
    return [
        get_request("e1", 0, "latest", DIGEST_A, first_ip),
        get_request("e2", 1, DIGEST_B, DIGEST_B, second_ip),
    ]


@pytest.mark.parametrize(
    ("first_ip", "second_ip"),
    [
        ("192.0.2.7", "::ffff:192.0.2.7"),
        ("192.0.2.7", "0:0:0:0:0:FFFF:C000:0207"),
        ("2001:db8::7", "2001:0DB8:0000:0000:0000:0000:0000:0007"),
        ("2001:db8::7", " 2001:DB8::7 "),
    ],
)
def test_two_spellings_of_one_address_are_one_client(
    classifier_60s: SqlClassifier, first_ip: str, second_ip: str
) -> None:
    requests = tag_then_digest(first_ip, second_ip)
    expected = oracle_rows(requests, 60)
    assert [row.request_count for row in expected] == [2]
    assert classifier_60s.classify(requests) == expected


def test_two_addresses_stay_two_clients(classifier_60s: SqlClassifier) -> None:
    requests = tag_then_digest("192.0.2.7", "::ffff:192.0.2.8")
    expected = oracle_rows(requests, 60)
    assert len(expected) == 2
    assert classifier_60s.classify(requests) == expected


@pytest.mark.parametrize(
    "written",
    ["::ffff:192.0.2.7", "0:0:0:0:0:FFFF:C000:0207", " 2001:0DB8:0000::0007 ", "2001:db8::7%eth0"],
)
def test_an_action_carries_the_pseudonym_of_its_normalised_address(
    classifier_60s: SqlClassifier, written: str
) -> None:
    """The pseudonyms come from the raw rows' values, each address text normalised as
    staging normalises it: an action's client_ip_hash is the HMAC of the address in its
    one spelling, whichever spelling the raw row has, and its account_id_hash that of
    the account (None for an anonymous pull)."""
    key = load_secret()
    address = canonical_ip(written)
    assert address is not None and address != written
    signed_in = get_request("e1", 0, "latest", DIGEST_A, written, account_id="acct-7")
    anonymous = get_request("e2", 3600, "latest", DIGEST_B, "198.51.100.9", repository="acme/other")
    assert classifier_60s.pseudonyms([signed_in, anonymous]) == {
        "e1": (pseudonym(key, address), pseudonym(key, "acct-7")),
        "e2": (pseudonym(key, "198.51.100.9"), None),
    }
