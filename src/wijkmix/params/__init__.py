"""wijkmix.params."""
