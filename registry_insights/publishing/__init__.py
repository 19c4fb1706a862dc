"""What the warehouse publishes: the catalog of published datasets (reports, pull and
extension exports) and the files written from it."""
