"""Plugin hooks and built-in plugins (categorizers, RCA providers, notifiers)."""
