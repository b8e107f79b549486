"""wijkmix.measures."""
