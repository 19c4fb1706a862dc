-- The benchmark's lower bound: raw request files to pull actions in one hand-written
-- DuckDB statement, exactly as the dbt project classifies them (same contract checks,
-- same choice of the kept copy of a redelivered event, same greedy rule, computed in the
-- same steps as macros/classify_pull_actions.sql; the proof that the two window passes
-- below are exact is its docs block, macros/classify_pull_actions.md).
-- Fast by keeping no copy of the input: the raw files are read twice, once for the event
-- ids alone (a hash aggregate finds the events with more than one copy) and once for the
-- rows, of which only the few copies of repeated events are ranked. A CTE read twice is
-- materialised by DuckDB: the previous version kept every valid row that way and, at
-- 100M requests, filled 50 GB of disk with spill files (`not materialized` below).
-- Both window passes partition by the client key; the second orders by the first pass's
-- row number; only the columns the output needs go through the windows. Numbering each
-- client key first (so that the windows sort one integer) gave the same time at 10M and a
-- higher peak memory (docs/benchmark.md).
-- Clients are keyed by the address as the model keys them: one spelling per address, a
-- text that is no address invalid (the contract). That rule has one home, the macro
-- normalise_ip; its DuckDB SQL, as dbt compiles it, fills the placeholder below. (Keyed
-- by the raw text, as before, two spellings of one address were two clients here and one
-- in the model, and a malformed address such as 999.1.2.3 was kept: not exact.)
-- Placeholders, filled by scripts/bench_warehouse.py: {files} (a DuckDB list of Parquet
-- paths), {window_us} (the window in microseconds), {table} (the table to create),
-- normalised_client_ip (an expression over the raw column client_ip, many lines long,
-- so not named in braces here: the placeholders are filled in comments too).
create or replace table {table} as
with raw as not materialized (
    select
        event_id,
        -- the instant's UTC time, as read_raw_files reads a TIMESTAMP WITH TIME ZONE
        -- (macros/read_raw_table.sql): the cast alone converts through the ICU calendar
        coalesce(make_timestamp(epoch_us(occurred_at)), occurred_at::timestamp) as occurred_at,
        upper(http_method) as http_method,
        lower(object_type) as object_type,
        repository,
        reference,
        response_digest,
        status_code::integer as status_code,
        response_bytes::bigint as response_bytes,
        client_ip,
        user_agent,
        account_id,
        filename as source_file,
        file_row_number,
        case
            when regexp_full_match(reference, 'sha256:[0-9a-f]{{64}}') then 'digest'
            when reference like '%:%' then 'malformed'
            when regexp_full_match(reference, '[A-Za-z0-9_][A-Za-z0-9._-]{{0,127}}') then 'tag'
            else 'malformed'
        end as reference_kind
    from read_parquet({files}, union_by_name = true, filename = true, file_row_number = true)
),

-- the contract's checks, as in base_registry__requests (macros/request_contract.sql)
checked as not materialized (
    select
        *,
        event_id is not null and occurred_at is not null and http_method in ('GET', 'HEAD')
        and object_type in ('manifest', 'blob') and repository is not null
        and status_code between 100 and 599 and client_ip is not null
        and regexp_full_match(
            repository, '[a-z0-9]+(([.]|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([.]|_|__|-+)[a-z0-9]+)*)+'
        )
        and reference_kind <> 'malformed'
        and (object_type = 'manifest' or reference_kind = 'digest')
        and (response_digest is null or regexp_full_match(response_digest, 'sha256:[0-9a-f]{{64}}'))
        and coalesce(response_bytes >= 0, true)
        and occurred_at <= current_timestamp as is_valid
    -- the address normalised (null when the text is no address)
    from (select * replace ({normalised_client_ip} as client_ip) from raw) as normalised
),

-- 64-bit hashes of the event ids with more than one raw copy, valid or not (a superset
-- of the repeated events: a collision only adds candidates, ranked alone); one column of
-- the raw files
repeated_hashes as (
    select hash(event_id) as event_hash
    from read_parquet({files}, union_by_name = true)
    where event_id is not null
    group by 1
    having count(*) > 1
),

-- every valid copy of a repeated event but the first by the staging order. The copies of
-- the repeated events are picked out first, then checked (few rows): they are ranked
-- valid first, so that a filter on the checks, which would be pushed below the join onto
-- every raw row, is applied after the ranking (as ops_request_redeliveries does)
not_kept as (
    select source_file, file_row_number
    from (
        select
            source_file,
            file_row_number,
            is_valid,
            row_number() over (
                partition by event_id
                order by is_valid desc, occurred_at, status_code, http_method, object_type,
                    repository, reference, source_file, file_row_number
            ) as delivery_rank
        from checked semi join repeated_hashes on hash(checked.event_id) = repeated_hashes.event_hash
    ) as candidates
    where is_valid and delivery_rank > 1
),

-- the kept copy of each event, then the successful manifest requests only: the copies of
-- an event may differ, so the kept copy is chosen among all its valid copies first
kept as (
    select * from checked anti join not_kept using (source_file, file_row_number)
    where is_valid and object_type = 'manifest' and status_code between 200 and 299
),

requests as (
    select
        event_id,
        occurred_at,
        http_method,
        reference_kind,
        repository,
        client_ip,
        user_agent,
        account_id,
        case when reference_kind = 'digest' then reference else response_digest end as digest,
        case when reference_kind = 'tag' then reference end as tag
    from kept
),

lagged as (
    select
        repository, client_ip, user_agent, account_id,
        epoch_us(occurred_at) as us, event_id, http_method, reference_kind, tag, digest,
        row_number() over w as seq,
        lag(http_method, 1) over w as m1, lag(digest, 1) over w as d1, lag(epoch_us(occurred_at), 1) over w as u1,
        lag(http_method, 2) over w as m2, lag(digest, 2) over w as d2, lag(epoch_us(occurred_at), 2) over w as u2
    from requests
    window w as (partition by repository, client_ip, user_agent, account_id order by occurred_at, event_id)
),

-- a1: the request before, were it a start, would absorb this one as its first follower;
-- a2: the request two before would absorb it as its second follower
judged as (
    select
        repository, client_ip, user_agent, account_id, seq, us, event_id, http_method, reference_kind, tag, digest,
        coalesce(
            http_method = 'GET' and reference_kind = 'digest' and us - u1 <= {window_us}
            and ((m1 = 'HEAD' and d1 is not null and digest is not distinct from d1)
                or (m1 = 'GET' and digest is distinct from d1)),
            false
        ) as a1,
        coalesce(
            http_method = 'GET' and reference_kind = 'digest' and m2 = 'HEAD' and us - u2 <= {window_us}
            and digest is distinct from d2,
            false
        ) as a2
    from lagged
),

-- run_start: the last request not absorbable as a first follower (always a start);
-- last_a2: the last request absorbable as a second follower
looked_along as (
    select
        *,
        max(case when not a1 then seq end) over w_so_far as run_start,
        coalesce(max(case when a2 then seq end) over w_so_far, 0) as last_a2,
        lead(a1, 1, false) over w as next_a1,
        lead(a2, 2, false) over w as next_a2,
        lead(digest, 1) over w as nd1,
        lead(digest, 2) over w as nd2
    from judged
    window
        w as (partition by repository, client_ip, user_agent, account_id order by seq),
        w_so_far as (partition by repository, client_ip, user_agent, account_id order by seq rows between unbounded preceding and current row)
),

starts as (
    select * from looked_along
    where
        not a1
        or (
            not (seq = run_start + 2 and last_a2 = seq)
            and (seq - run_start - case when last_a2 = run_start + 2 then 1 else 0 end) % 2 = 0
        )
)

select
    event_id as action_id,
    case
        when http_method = 'HEAD' and reference_kind = 'tag' and not next_a1 then 'version_check'
        when reference_kind = 'tag' then 'pull_by_tag'
        else 'pull_by_digest'
    end as action,
    make_timestamp(us) as action_at,
    repository,
    tag,
    digest,
    case
        when http_method = 'GET' and next_a1 then nd1
        when next_a1 and next_a2 then nd2
    end as platform_digest,
    1 + case when next_a1 then 1 else 0 end
    + case when next_a1 and next_a2 then 1 else 0 end as request_count
from starts
