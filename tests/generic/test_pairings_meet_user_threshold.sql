{#-
    pairings_meet_user_threshold(minimum)

    Privacy rule: every published image pairing was pulled by at least `minimum`
    distinct users. Recounts, from the deduplicated pullers, the users who pulled
    both images of each row's pairing in its period (independently of the flag the
    models computed) and fails with one row per pairing below the minimum.
-#}
{% test pairings_meet_user_threshold(model, minimum=10) %}
    with

    published as (
        select distinct
            date_granularity,
            date_reference,
            dvpp_image,
            paired_image
        from {{ model }}
    ),

    pullers as (
        select
            date_granularity,
            date_reference,
            user_key,
            repository
        from {{ ref('int_image_pullers_deduplicated') }}
        where repository in (select published.dvpp_image from published)
            or repository in (select published.paired_image from published)
    ),

    co_pulled as (
        select
            dvp_pullers.date_granularity,
            dvp_pullers.date_reference,
            dvp_pullers.repository as dvpp_image,
            paired_pullers.repository as paired_image,
            count(distinct dvp_pullers.user_key) as users_of_both
        from pullers as dvp_pullers
        inner join pullers as paired_pullers
            on
                dvp_pullers.date_granularity = paired_pullers.date_granularity
                and dvp_pullers.date_reference = paired_pullers.date_reference
                and dvp_pullers.user_key = paired_pullers.user_key
                and dvp_pullers.repository <> paired_pullers.repository
        group by
            dvp_pullers.date_granularity,
            dvp_pullers.date_reference,
            dvp_pullers.repository,
            paired_pullers.repository
    )

    select
        published.date_granularity,
        published.date_reference,
        published.dvpp_image,
        published.paired_image,
        coalesce(co_pulled.users_of_both, 0) as users_of_both
    from published
    left join co_pulled
        on
            published.date_granularity = co_pulled.date_granularity
            and published.date_reference = co_pulled.date_reference
            and published.dvpp_image = co_pulled.dvpp_image
            and published.paired_image = co_pulled.paired_image
    where coalesce(co_pulled.users_of_both, 0) < {{ minimum }}
{% endtest %}
