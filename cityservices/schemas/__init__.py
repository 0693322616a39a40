"""Response models of the city API, one module per resource (request bodies live with their
routers). They describe the wire JSON exactly: every field is always present (``null`` where it
has no value), nothing else is sent, and the field order is the order of the JSON keys."""
