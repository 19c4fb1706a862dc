-- One row per account: its pseudonym (macro pseudonym) and its email domain. The account
-- id stays in the raw files (stg_registry__accounts is a view over them); the pull
-- actions find their account's domain by the pseudonym.
with

stg_registry__accounts as (
    select
        account_id,
        email_domain
    from {{ ref('stg_registry__accounts') }}
),

accounts_pseudonymised as (
    select
        {{ pseudonym('account_id') }} as account_id_hash,
        email_domain
    from stg_registry__accounts
)

select * from accounts_pseudonymised
