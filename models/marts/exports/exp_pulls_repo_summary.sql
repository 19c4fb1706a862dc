-- The `repo-summary` pull export: one row per period, namespace and repository.
{{ summarise_pull_exports(['namespace', 'repository_name']) }}
