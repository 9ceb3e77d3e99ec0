"""One-off operator tasks behind the CLI: registering the webhook, checking the set-up."""
