// DoppelQuality module: see docs/ARCHITECTURE.md
