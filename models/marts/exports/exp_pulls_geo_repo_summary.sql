-- The `geo-repo-summary` pull export: one row per period, namespace, repository and
-- country of the client.
{{ summarise_pull_exports(['namespace', 'repository_name', 'ip_country']) }}
