"""Lead alerts: new SLA breaches and leads left without an owner (dbt model
activation.lead_alerts) sent once each to sales managers, one message per team, as
Slack-compatible JSON to a webhook and/or as JSON lines to a file (docs/alerts.md).

config.py where to send (env, config file), ledger.py what was detected and delivered,
messages.py the message of a team, delivery.py the webhook POST and the file append,
send.py one evaluation (the sensor's tick, `leadflow alerts send`)."""
