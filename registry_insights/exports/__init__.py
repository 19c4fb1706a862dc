"""The publisher's data exports: pull and extension dataviews as split, gzip-compressed CSV."""
