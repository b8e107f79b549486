"""wijkmix.synth."""
