"""Tools of the demo ESB project (the ctl lives in tools.cli)."""
