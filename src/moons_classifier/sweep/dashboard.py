"""``kedro sweep dashboard``: a study's trials, live, in optuna-dashboard on a local port."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import optuna
from optuna_dashboard import wsgi

from moons_classifier.sweep.study import STUDY_DB, storage

logger = logging.getLogger(__name__)

# Loopback only: anyone who reaches the dashboard can edit and delete the study.
HOST = "127.0.0.1"


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's request handler, with each request logged at debug level, not on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)


def serve(folder: Path, name: str, port: int) -> None:
    """Serve the study ``name`` in ``folder`` with optuna-dashboard on ``HOST:port`` until
    interrupted (Ctrl-C, or SIGTERM where the caller turns it into an interrupt); a busy
    port or a database without the study is a ValueError."""
    # An existing database is only read: no tables are created, no schema is upgraded.
    rdb = optuna.storages.RDBStorage(storage(folder), skip_table_creation=True)
    try:
        study_id = rdb.get_study_id_from_name(name)
    except KeyError:
        names = [study.study_name for study in rdb.get_all_studies()]
        raise ValueError(
            f"{folder / STUDY_DB} holds no study {name}, only {names}"
        ) from None
    try:
        server = make_server(HOST, port, wsgi(rdb), handler_class=_RequestHandler)
    except OSError as error:
        raise ValueError(
            f"cannot listen on {HOST}:{port} ({error.strerror}); choose another --port"
        ) from None
    try:
        logger.info(
            "Dashboard of study %s: http://%s:%d/dashboard/studies/%d (Ctrl-C stops it)",
            name,
            HOST,
            port,
            study_id,
        )
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("Dashboard stopped")
    finally:
        server.server_close()
