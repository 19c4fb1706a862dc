-- The `summary` pull export: one row per period, namespace, repository and reference
-- (the tag or digest the client named).
{{ summarise_pull_exports(['namespace', 'repository_name', 'reference']) }}
