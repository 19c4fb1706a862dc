-- The `ext-premium-summary` export: one row per period and extension.
{{ summarise_extension_premium([]) }}
