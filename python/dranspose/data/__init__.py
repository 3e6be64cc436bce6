"""Message models of every protocol beamloom reads, with Dranspose's class and field names."""
