"""Platform-neutral core: events in, actions out."""
