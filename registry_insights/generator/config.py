"""Parameters of the synthetic registry-log generator."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

#: Rows per generation block. Blocks are the unit of randomness (one random stream
#: each), so the generated content does not depend on ``chunk_rows``, which only
#: decides how rows are cut into part files.
BLOCK_ROWS = 131_072

#: Share of request rows that come from hand-made edge cases of the classification spec.
EDGE_CASE_ROW_SHARE = 0.004

#: Extension events per request row.
EXTENSION_EVENT_RATE = 0.01

#: Largest row group written to a Parquet part.
ROW_GROUP_ROWS = 131_072


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. The same config always produces byte-identical files."""

    rows: int = 500_000
    """Approximate number of ``raw_registry_requests`` rows (duplicates included)."""
    days: int = 91
    start_date: datetime.date = datetime.date(2026, 6, 1)
    """First day (UTC) of the data; the data covers ``start_date`` .. ``start_date + days - 1``."""
    seed: int = 42
    n_namespaces: int = 60
    n_accounts: int = 5_000
    n_clients: int = 40_000
    """Distinct client machines (an IP address and a user agent)."""
    duplicate_rate: float = 0.002
    """Fraction of events delivered twice (same event id, same content)."""
    invalid_rate: float = 0.0005
    """Fraction of rows that break the raw-data contract on purpose."""
    chunk_rows: int = 1_000_000
    """Most rows in one Parquet part file."""

    def __post_init__(self) -> None:
        if self.rows < 1:
            raise ValueError("rows must be at least 1")
        if not 1 <= self.days <= 1_000:
            raise ValueError("days must be between 1 and 1000")
        if self.n_namespaces < 2:
            raise ValueError("n_namespaces must be at least 2")
        if self.n_accounts < 1:
            raise ValueError("n_accounts must be at least 1")
        if self.n_clients < 50:
            raise ValueError("n_clients must be at least 50")
        if not 0.0 <= self.duplicate_rate <= 0.5:
            raise ValueError("duplicate_rate must be between 0 and 0.5")
        if not 0.0 <= self.invalid_rate <= 0.5:
            raise ValueError("invalid_rate must be between 0 and 0.5")
        if self.chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        if self.end_date >= datetime.date(2099, 1, 1):
            raise ValueError("the data must end before 2099 (2099 marks future-timestamp rows)")

    @property
    def end_date(self) -> datetime.date:
        """Last day covered (inclusive)."""
        return self.start_date + datetime.timedelta(days=self.days - 1)
