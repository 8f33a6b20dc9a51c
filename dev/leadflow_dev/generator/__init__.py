"""Leadflow's demo and benchmark data generator.

``generate(inbox_dir, truth_path, leads, days, seed, end_date, progress)`` writes realistic
export files into ``inbox_dir/<source>/`` for the six sources of docs/contracts.md ("Inbox") and the
hidden truth to ``truth_path``. Output depends only on (leads, days, seed, end_date).

Files (chunks of leads sorted by creation time; ``k`` = 0000, 0001, ...)::

    forms/forms_k.csv | forms_k.csv.gz (every 3rd)   CSV form submissions
    forms/legacy_contacts_export.csv                 legacy export WITHOUT the email column
    web/events_k.jsonl.gz                            Segment-like events, JSON Lines gzip
    web/events_resend_0000.jsonl.gz                  truncated (corrupt) gzip
    email/events_k.jsonl                             SendGrid-like events, JSON Lines
    crm_deals/deals_k.csv                            HubSpot-like deal states, CSV
    crm_activities/activities_k.parquet              sales activities, Parquet
    spend/spend_YYYY-MM.csv                          daily spend per channel and campaign
    spend/spend_adjustments.csv                      an empty (0-byte) file

Columns (canonical names first; extra columns after them)::

    forms           submission_id, submitted_at, email, form_id, first_name, last_name, company,
                    job_title, phone, country, product_interest, utm_source, utm_medium,
                    utm_campaign, landing_page, consent_marketing (true/false), anonymous_id
                    [+ gclid in files 0001, 0005, ...]
    web             event_id, occurred_at, anonymous_id, event_type (page/track/identify),
                    event_name (track only), email (once identified), url, referrer,
                    utm_source, utm_medium, utm_campaign, user_agent
    email           event_id, occurred_at, email, event, campaign_id, sg_message_id, url,
                    user_agent, ip, reason
    crm_deals       deal_id, dealname, email, created_at, stage, amount, currency, owner,
                    closed_at, status, product, updated_at, pipeline
                    [+ hs_object_source in files 0003, 0007, ...]
    crm_activities  activity_id, email, occurred_at (TIMESTAMPTZ), activity_type, owner,
                    outcome, duration_minutes
    spend           spend_date, channel, campaign, cost, currency, clicks, impressions
    truth.parquet   email, true_probability, converted, response_factor, fit, engagement,
                    created_at, won_at,
                    channel, campaign, is_outcome_mature (created at least 90 days before
                    the end of the window, so the outcome is fully observable)

Timestamps: forms mix naive UTC, ``Z`` and local ``+hh:mm``; web uses milliseconds with
``Z`` or the visitor's local offset; e-mail ``Z`` (a few ``+00:00``); deals ``...sssZ``.
The window is the ``days`` whole UTC days ending with ``end_date`` (23:59:59 included).

The simulated world
-------------------
*People.* Each lead has a name, a job title (varied strings for six seniorities: student/
intern, individual contributor, manager, director/head, VP, C-level/founder; nine
departments), a company with a corporate domain (about a quarter of people use free-mail
instead: gmail.com, outlook.com, yahoo.com, ...), a country (ISO-2 in most form rows, full or
local names in some), a phone, a product interest and marketing consent (88% true).

*Channels.* organic_search, paid_search, paid_social, email, referral, partner, events
(monthly webinars, three trade shows), direct; with different volumes, costs per lead and
lead quality (a campaign effect on fit and on the persona mix: e.g. LinkedIn ABM brings
senior corporate buyers, Facebook lookalikes bring students and free-mail). UTM spellings
vary in case (google/Google, cpc/CPC, linkedin/LinkedIn, fb/facebook).

*Hidden propensity.* ``P(customer within 90 days of creation) = sigmoid(intercept + fit +
1.3 * engagement)``. ``fit`` adds effects of seniority, department, department-product
match, free-mail (-0.9), country, campaign and product; ``engagement`` is a standard normal
latent (correlation 0.3 with fit) that drives what people do before and soon after they
become leads: sessions before the form, share of pricing/demo page views, high-intent forms
(demo, trial, contact, quote), later forms, identified sessions in the weeks after creation,
human e-mail opens and clicks. The intercept is calibrated to a 5% base rate.

*The response counts* (the one-hour effect: a lead answered within an hour is about 7
times as likely to qualify as one answered later, about 60 times as one answered after a
day). Sales answers a handed lead after a human delay, or never; that response multiplies
the propensity by 1 (within the hour), 1/7 (within a day) or 1/60 (later), 0 when never
touched, scaled so that the expected customers stay the propensity's (``response_factor``
in the truth, NULL for a lead never handed). ``converted`` is drawn from the propensity
times that factor (the person's one uniform draw), so it falls with slower response in
the data as in real audits; the chance of qualifying (SQL) follows the same factor.
Converted people win a deal within 90 days of creation (where their first touch allows).

*Noise.* Machine e-mail opens (privacy proxies, 1-10 s after delivery), link-scanner clicks
(every link within a minute, data-centre IPs), bounces, unsubscribes, spam reports; reps
answer in minutes, hours, days or never; sales activity and deals follow qualification.

*Dirt* (counted in ``GenerateSummary.dirt``, kinds in ``dirt.KINDS``): duplicate people and
e-mail case/space variants, invalid e-mails, non-ISO timestamps, missing required values,
wrong types, unknown values, malformed lines, late-arriving and duplicate events, schema
drift (``gclid`` on some forms files, ``hs_object_source`` on some deal files), a file
without a required column, an empty file and a truncated gzip. Every person keeps at least
one clean form row; dirty form and deal rows are extra copies.
"""

from .generate import GenerateSummary, chunk_plan, generate

__all__ = ["generate", "GenerateSummary", "chunk_plan"]
