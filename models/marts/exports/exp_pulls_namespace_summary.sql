-- The `namespace-summary` pull export: one row per period and namespace.
{{ summarise_pull_exports(['namespace']) }}
