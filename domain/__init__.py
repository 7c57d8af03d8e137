"""Shared domain primitives that every app may import (errors); no models, no Django app."""
