"""Report definitions and their CSV export."""
