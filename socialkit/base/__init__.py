"""What every layer uses: text made safe for a terminal, HTML and charts; files written
atomically; small DataFrame helpers. Imports nothing else of socialkit."""
