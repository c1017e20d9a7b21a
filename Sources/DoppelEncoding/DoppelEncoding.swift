// DoppelEncoding module: see docs/ARCHITECTURE.md
