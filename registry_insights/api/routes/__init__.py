"""The Data API's routes, one router per area, all mounted under `API_PREFIX`:
`discovery` (the caller's namespaces and their datasets), `pulls` (pull counts per
period), `exports` (the periods with export files and signed links to them) and
`downloads` (the files behind the signed links)."""

API_PREFIX = "/api/publisher/analytics/v1"
