-- One row per channel of the channels seed, as the report names and explains it: the
-- label, what its touches are, whether it is bought (has spend) and whether it is a
-- marketing channel at all. 'sales' is not: its touches are the CRM's sales activities
-- (calls, e-mails, meetings, demos by reps), credited like any touch by the attribution
-- models, with no spend of their own.
select
    channel,
    channel_name                                                    as channel_label,
    description,
    is_paid,
    channel <> 'sales'                                              as is_marketing
from {{ ref('channels') }}
