"""wijkmix.report."""
