"""Read selectors of the cases app."""
