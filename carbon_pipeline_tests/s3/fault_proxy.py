"""A real HTTP proxy in front of the moto S3 server that can answer chosen requests with an error
(503 SlowDown, 403 AccessDenied) before passing the rest through: throttling and permission failures
over real HTTP, without patching any client."""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}


@dataclass
class Fault:
    method: str
    path_contains: str
    status: int
    code: str
    remaining: int  # how many matching requests get the error; -1 = all
    served: int = 0


@dataclass
class FaultProxy:
    upstream_host: str
    upstream_port: int
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def start(self) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.requests.append((self.command, self.path))
                for fault in proxy.faults:
                    if fault.method == self.command and fault.path_contains in self.path and fault.remaining != 0:
                        fault.remaining -= 1 if fault.remaining > 0 else 0
                        fault.served += 1
                        payload = (
                            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{fault.code}</Code>'
                            f"<Message>injected by the test proxy</Message></Error>"
                        ).encode()
                        self.send_response(fault.status)
                        self.send_header("Content-Type", "application/xml")
                        self.send_header("Content-Length", str(len(payload) if self.command != "HEAD" else 0))
                        self.end_headers()
                        if self.command != "HEAD":
                            self.wfile.write(payload)
                        return
                # a hang guard only: moto shares this loaded process, and a slow answer is not a fault
                upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=600)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header(
                    "Content-Length",
                    str(len(data)) if self.command != "HEAD" else response.getheader("Content-Length", "0"),
                )
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                upstream.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
