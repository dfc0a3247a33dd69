"""The demo's ctl, run as `python3 -m tools.cli.cli` (ESB's current layout)."""
