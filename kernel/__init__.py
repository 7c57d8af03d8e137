"""The shared kernel: what every app may import and which imports no app (the errors services
raise and how web forms show them, quarters, CSV cells, the NUL-character guard); no models, no
Django app. Not the domain itself, which is pool, cases and monitoring: docs/adr/0014."""
