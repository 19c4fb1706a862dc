-- What did the contract check reject, and from which clients? One row per reason
-- and user agent, most frequent first.
with

stg_registry__requests_quarantined as (
    select * from {{ ref('stg_registry__requests_quarantined') }}
)

select
    quarantine_reason,
    user_agent,
    count(*) as rows_quarantined,
    min(occurred_at) as first_seen_at,
    max(occurred_at) as last_seen_at
from stg_registry__requests_quarantined
group by quarantine_reason, user_agent
order by rows_quarantined desc
