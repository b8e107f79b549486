"""wijkmix.sim."""
