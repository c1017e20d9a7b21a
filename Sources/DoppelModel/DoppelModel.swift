// DoppelModel module: see docs/ARCHITECTURE.md
