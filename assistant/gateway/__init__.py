"""The gateway: the network side of the assistant (FastAPI)."""
