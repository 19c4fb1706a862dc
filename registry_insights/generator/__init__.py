"""Synthetic container-registry request logs in the project's raw-data contract.

Usage::

    from pathlib import Path
    from registry_insights.generator import GeneratorConfig, generate_dataset

    counts = generate_dataset(GeneratorConfig(rows=100_000, days=7), Path("data/demo/raw"))
"""

from registry_insights.generator.config import GeneratorConfig
from registry_insights.generator.dataset import generate_dataset

__all__ = ["GeneratorConfig", "generate_dataset"]
