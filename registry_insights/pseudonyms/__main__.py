"""Run a command with the HMAC pads in its environment (for dbt on Spark).

    python -m registry_insights.pseudonyms exec -- dbt build ...

Sets DBT_ENV_SECRET_REGISTRY_INSIGHTS_HMAC_INNER_PAD and ..._OUTER_PAD (hex) from the
secret file and replaces this process with the command: profiles.yml hands them to Spark
as session configuration, read in SQL by variable substitution. The `DBT_ENV_SECRET_`
prefix makes dbt scrub the values from its logs. Nothing is printed.
"""

from __future__ import annotations

import os
import sys

from registry_insights.pseudonyms.secret import SecretError, hmac_pads, load_secret

INNER_PAD_ENV = "DBT_ENV_SECRET_REGISTRY_INSIGHTS_HMAC_INNER_PAD"
OUTER_PAD_ENV = "DBT_ENV_SECRET_REGISTRY_INSIGHTS_HMAC_OUTER_PAD"


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] != "exec" or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    try:
        pads = hmac_pads(load_secret())
    except SecretError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    environment = dict(os.environ)
    environment[INNER_PAD_ENV] = pads.inner.hex()
    environment[OUTER_PAD_ENV] = pads.outer.hex()
    command = argv[2:]
    os.execvpe(command[0], command, environment)
    return 0  # pragma: no cover (execvpe does not return)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
