{{ config(materialized='view') }}
-- One row per account, with the (lower-cased) domain of its email address. A view: the
-- raw files stay the only copy of the account ids (docs/privacy.md).
with

source as (
    {{ read_raw_table(source('registry', 'raw_accounts')) }}
),

normalised as (
    select
        account_id,
        lower(trim(email_domain)) as email_domain,
        row_number() over (partition by account_id order by email_domain) as account_rank
    from source
    where account_id is not null
)

select
    account_id,
    email_domain
from normalised
where account_rank = 1
