"""Channel adapters: each converts a transport's audio and events to the pipeline's types."""
