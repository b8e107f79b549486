"""wijkmix.plan."""
