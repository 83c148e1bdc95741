"""gunicorn hooks for `bench_writing`: each request's CPU time in its worker, a line `ms method path` appended to
$BENCH_CPU_LOG. gunicorn's own duration is wall time, which on a machine shared with the load generator includes
waiting for a core; this is what the request itself cost. A sync worker serves one request at a time, so the
process's CPU time over a request is the request's."""

import os
import time


def pre_request(worker, req):
    worker.bench_cpu_began = time.process_time()


def post_request(worker, req, environ, resp):
    took_ms = (time.process_time() - worker.bench_cpu_began) * 1000
    with open(os.environ["BENCH_CPU_LOG"], "a") as log:  # noqa: PTH123 - one short line, appended whole
        log.write(f"{took_ms:.3f} {req.method} {req.path}\n")
