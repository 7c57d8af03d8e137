"""Writes of the monitoring app: notifications with their e-mail outbox, the daily
reminders, and the kwartaalmonitor runs."""
