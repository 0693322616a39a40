"""``python -m cityservices ...``"""

from __future__ import annotations

from cityservices.cli import app

if __name__ == "__main__":
    app()
