"""Small HTTP servers on loopback that stand in for systems we cannot reach (the collecting
bank, BSrE, the PKI's OCSP/CRL/TSA). Standard library only, so they run anywhere; tests start
them in a thread, `make run` as commands."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """No access log on stderr (tests and `make run` share the terminal); one way to answer."""

    def log_message(self, format, *args):
        pass

    def send_body(self, status: int, payload, content_type: str = "application/json", headers: dict | None = None) -> None:
        if isinstance(payload, bytes):
            body = payload
        elif isinstance(payload, str):
            body = payload.encode()
        else:
            body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class LoopbackServer:
    """Serves ``handler_class`` with ``bindings`` set as class attributes (the simulator's state)."""

    def __init__(self, handler_class: type[QuietHandler], **bindings):
        self._handler = type(f"Bound{handler_class.__name__}", (handler_class,), bindings)
        self._server: ThreadingHTTPServer | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on a background thread; returns the base URL."""
        self._server = ThreadingHTTPServer((host, port), self._handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name=self._handler.__name__, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self, host: str, port: int) -> None:
        self._server = ThreadingHTTPServer((host, port), self._handler)
        self._server.serve_forever()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def stop_processes(processes, timeout: float = 15) -> None:
    """Ask every process to stop (SIGTERM) at once, then kill those still running after ``timeout``."""
    import subprocess

    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
