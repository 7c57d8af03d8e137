"""Signals the pool sends so that other apps can follow changes without pool
knowing them (pool never imports cases)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction of every absence write, with ``absence``. The
# cases app re-derives who may work on the absent regisseur's cases (the
# stand-in holds them for the absence period only).
absence_changed = Signal()
