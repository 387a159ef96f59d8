"""``python -m assistant.cli`` runs the command line."""

import sys

from assistant.cli.main import app

if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
