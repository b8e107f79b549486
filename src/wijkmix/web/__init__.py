"""wijkmix.web."""
