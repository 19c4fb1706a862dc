-- The `ext-premium-geo` export: one row per period, extension and client country.
{{ summarise_extension_premium(['ip_country']) }}
