"""beamloom's implementation of Dranspose's analysis API (``dranspose.event``,
``dranspose.parameters``, ``dranspose.data.*``, ``dranspose.middlewares.*``,
``dranspose.protocol``), so analysis modules written for Dranspose run unchanged under
beamloom's Python host. It is not Dranspose: there is no controller, ingester or worker here,
only what analysis code imports. See docs/python.md."""

BEAMLOOM_COMPAT = True
