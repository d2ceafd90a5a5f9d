"""Slack's side of the web app: signed HTTP endpoints and the inbox behind them."""
