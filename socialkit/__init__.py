"""socialkit."""
