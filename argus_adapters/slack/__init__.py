"""Slack: the chat notifier on slack-sdk's async Web API client."""
