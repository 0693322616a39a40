"""Alembic environment: runs on the connection the caller put in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from cityservices.models import Base

target_metadata = Base.metadata


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # plain `alembic` CLI use: take the URL from the settings
        from cityservices.settings import load_city_settings

        engine = create_engine(load_city_settings().database_url)
        with engine.connect() as conn:
            context.configure(connection=conn, target_metadata=target_metadata)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
        return
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_run()
