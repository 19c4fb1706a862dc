"""The Insights dashboard: a Streamlit app over the built warehouse (read-only)."""
