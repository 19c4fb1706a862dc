"""The checks on the built marts, as data: for each mart, the columns to read (some derived
in DuckDB, where Great Expectations has no expectation for the rule itself) and the
built-in Great Expectations expectations to run on them.

Country codes: ISO 3166-1 alpha-2, the 249 officially assigned codes, kept here as a literal
(no package ships them offline), plus ``XK`` (Kosovo, a user-assigned code the GeoLite2
country data in ``data/reference/ip_country_ranges`` uses). A null country (an address
outside every range) is allowed. Update the literal when ISO assigns or withdraws a code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

_ISO_3166_ALPHA_2_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA_2 = frozenset(_ISO_3166_ALPHA_2_TEXT.split())
#: User-assigned codes the reference data uses as countries.
EXTRA_COUNTRY_CODES = frozenset({"XK"})
COUNTRY_CODES = ISO_3166_ALPHA_2 | EXTRA_COUNTRY_CODES

ACTIONS = ("version_check", "pull_by_tag", "pull_by_digest")
USE_CASES = ("Local Dev", "CI/CD", "Prod", "Unknown")
GRANULARITIES = ("weekly", "monthly")
LEVELS = ("repository", "tag", "digest")
#: The dbt var `technographic_min_users` (its default): fewer users are never published.
MIN_TECHNOGRAPHIC_USERS = 10

REPORTS = (
    "rpt_summary",
    "rpt_trends",
    "rpt_tracked_companies",
    "rpt_technographic",
    "rpt_technographic_companies",
)
MARTS = ("fct_pull_actions", *REPORTS)
SCHEMA = "marts"

#: The successful manifest requests of staging, and the actions of the fact table.
VOLUME_SQL = """
    SELECT
        (SELECT count(*) FROM staging.stg_registry__requests
         WHERE object_type = 'manifest' AND is_successful),
        (SELECT count(*) FROM marts.fct_pull_actions)
"""


@dataclass(frozen=True)
class Volume:
    successful_manifest_requests: int
    fct_actions: int


@dataclass(frozen=True)
class Check:
    """One built-in expectation: its class in ``great_expectations.expectations``, its
    arguments, and an optional row condition (``column == value`` pairs, all must hold)."""

    name: str
    expectation: str
    arguments: Mapping[str, Any]
    description: str
    where: tuple[tuple[str, str], ...] = ()

    @property
    def column(self) -> str | None:
        if "column" in self.arguments:
            return str(self.arguments["column"])
        if "column_A" in self.arguments:
            return f"{self.arguments['column_A']}, {self.arguments['column_B']}"
        return None


@dataclass(frozen=True)
class MartFrame:
    """The rows of one mart read into pandas: plain columns and ``expression AS name``."""

    table: str
    columns: tuple[str, ...]
    checks: tuple[Check, ...] = ()

    @property
    def query(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {SCHEMA}.{self.table}"


def _in_set(name: str, column: str, values: Collection[str], shown: str = "") -> Check:
    return Check(
        name,
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": sorted(values)},
        f"null or one of: {shown or ', '.join(sorted(values))}",
    )


def _not_null(name: str, column: str) -> Check:
    return Check(name, "ExpectColumnValuesToNotBeNull", {"column": column}, "not null")


def _between(name: str, column: str, low: int, high: int | None, text: str = "") -> Check:
    if not text:
        text = f">= {low}" if high is None else f"{low} to {high}"
    arguments = {"column": column, "min_value": low, "max_value": high}
    return Check(name, "ExpectColumnValuesToBeBetween", arguments, text)


def _pair(name: str, expectation: str, a: str, b: str, text: str, **extra: Any) -> Check:
    # "neither": a row with a null on either side fails instead of being skipped.
    arguments = {"column_A": a, "column_B": b, "ignore_row_if": "neither", **extra}
    return Check(name, expectation, arguments, text)


PERIOD_COLUMNS = (
    "date_granularity",
    "date_reference",
    "isodow(date_reference) AS date_reference_iso_weekday",
    "day(date_reference) AS date_reference_day_of_month",
)
PERIOD_CHECKS = (
    _not_null("granularity_present", "date_granularity"),
    _in_set("known_granularity", "date_granularity", GRANULARITIES),
    _not_null("date_reference_present", "date_reference"),
    Check(
        "weekly_starts_monday",
        "ExpectColumnValuesToBeInSet",
        {"column": "date_reference_iso_weekday", "value_set": [1]},
        "weekly rows: date_reference is a Monday (ISO weekday 1)",
        (("date_granularity", "weekly"),),
    ),
    Check(
        "monthly_starts_first",
        "ExpectColumnValuesToBeInSet",
        {"column": "date_reference_day_of_month", "value_set": [1]},
        "monthly rows: date_reference is the 1st of a month",
        (("date_granularity", "monthly"),),
    ),
)
PARTS = "data_downloads + version_checks AS data_downloads_plus_version_checks"
USE_CASE_CHECKS = (
    _not_null("use_case_present", "inferred_use_case"),
    _in_set("known_use_case", "inferred_use_case", USE_CASES),
)
COUNTRY_CHECK = _in_set("valid_country", "ip_country", COUNTRY_CODES, "ISO 3166-1 alpha-2, XK")


def _parts_equal(total: str) -> Check:
    return _pair(
        f"{total}_is_downloads_plus_checks",
        "ExpectColumnPairValuesToBeEqual",
        total,
        "data_downloads_plus_version_checks",
        f"{total} = data_downloads + version_checks",
    )


def _at_most(part: str, whole: str) -> Check:
    return _pair(
        f"{part}_at_most_{whole}",
        "ExpectColumnPairValuesAToBeGreaterThanB",
        whole,
        part,
        f"{part} <= {whole}",
        or_equal=True,
    )


def mart_frames(volume: Volume) -> list[MartFrame]:
    """The frames to read and check, given the volumes the bounds refer to."""
    requests = volume.successful_manifest_requests
    return [
        MartFrame(
            "fct_pull_actions",
            ("action", "inferred_use_case", "ip_country", "request_count"),
            (
                _in_set("known_action", "action", ACTIONS),
                *USE_CASE_CHECKS,
                COUNTRY_CHECK,
                Check(
                    "actions_within_requests",
                    "ExpectTableRowCountToBeBetween",
                    {"min_value": 1, "max_value": requests},
                    f"1 to {requests:,} actions (the successful manifest requests in staging)",
                ),
                Check(
                    "requests_all_in_actions",
                    "ExpectColumnSumToBeBetween",
                    {"column": "request_count", "min_value": requests, "max_value": requests},
                    f"sum = {requests:,}: each successful manifest request in one action",
                ),
            ),
        ),
        MartFrame(
            "rpt_summary",
            (*PERIOD_COLUMNS, "level", "event_count", PARTS),
            (
                *PERIOD_CHECKS,
                _in_set("known_level", "level", LEVELS),
                _parts_equal("event_count"),
                Check(
                    "monthly_events_within_actions",
                    "ExpectColumnSumToBeBetween",
                    {"column": "event_count", "min_value": 0, "max_value": volume.fct_actions},
                    f"monthly repository rows: sum <= {volume.fct_actions:,} (fct actions)",
                    (("date_granularity", "monthly"), ("level", "repository")),
                ),
            ),
        ),
        MartFrame(
            "rpt_trends",
            (
                *PERIOD_COLUMNS,
                "ip_country",
                "pulls",
                PARTS,
                "coalesce(unique_authenticated_users, 0) + coalesce(unique_unauthenticated_users,"
                " 0) AS unique_users",
            ),
            (
                *PERIOD_CHECKS,
                COUNTRY_CHECK,
                _parts_equal("pulls"),
                _between(
                    "has_users",
                    "unique_users",
                    1,
                    None,
                    "unique_authenticated_users + unique_unauthenticated_users >= 1",
                ),
            ),
        ),
        MartFrame(
            "rpt_tracked_companies",
            (*PERIOD_COLUMNS, "ip_country", "inferred_use_case", "pulls", PARTS),
            (*PERIOD_CHECKS, COUNTRY_CHECK, *USE_CASE_CHECKS, _parts_equal("pulls")),
        ),
        MartFrame(
            "rpt_technographic",
            (
                *PERIOD_COLUMNS,
                *("users", "total_pullers", "pct_users", "domains", "total_domains"),
                "pct_domains",
            ),
            (
                *PERIOD_CHECKS,
                _between("pct_users_in_range", "pct_users", 0, 100),
                _between("pct_domains_in_range", "pct_domains", 0, 100),
                _between("users_meet_threshold", "users", MIN_TECHNOGRAPHIC_USERS, None),
                _at_most("users", "total_pullers"),
                _at_most("domains", "total_domains"),
            ),
        ),
        MartFrame("rpt_technographic_companies", PERIOD_COLUMNS, PERIOD_CHECKS),
    ]
