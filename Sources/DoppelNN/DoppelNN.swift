// DoppelNN module: see docs/ARCHITECTURE.md
