"""wijkmix.io."""
