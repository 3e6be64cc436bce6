"""beamloom's Python side: the analysis host process (``python3 -m beamloom.host``), the
result-payload encoding shared with the TypeScript engine, and a data-only pickle reader."""
