"""gunicorn's settings hooks: Prometheus multiprocess mode for the workers (README "Operations").

Each worker writes its counters to files in PROMETHEUS_MULTIPROC_DIR (default var/prometheus
beside manage.py) and /internal/metrics sums them all. The directory is emptied when gunicorn
starts, so counts begin at zero with each start, as Prometheus expects of a restart.
"""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess

# Set here, in the master before it forks: the workers import prometheus_client with it set.
metrics_dir = Path(
    os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", str(Path(__file__).resolve().parents[1] / "var" / "prometheus")
    )
)


def on_starting(server):
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
