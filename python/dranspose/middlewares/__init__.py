"""Parsers (``parse(stream_data)``) of every protocol beamloom reads, as in Dranspose."""
