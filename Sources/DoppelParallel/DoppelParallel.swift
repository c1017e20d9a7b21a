// DoppelParallel module: see docs/ARCHITECTURE.md
