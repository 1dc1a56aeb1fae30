"""A tiny HTTP server on 127.0.0.1 that answers every request with scripted raw bytes.

For the bad-input catalogue and the security tests: AWS answers that are HTML error pages, empty,
or cut off in the middle, and a log of every request received (to check what the client sent).
Bounded: it stops answering after `max_requests`, and each connection has a socket timeout.
"""

import socket
import socketserver
import threading


class RawServer:
    """`responder(n, request_bytes) -> bytes` gives the raw reply to the n-th request (from 1);
    the connection is closed after it (so a short body is a cut-off response)."""

    def __init__(self, responder, max_requests=200):
        self.responder = responder
        self.max_requests = max_requests
        self.requests = []  # raw request bytes (headers + body), in arrival order
        self.lock = threading.Lock()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.settimeout(10)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        more = self.request.recv(65536)
                        if not more:
                            return
                        data += more
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value.strip() or b"0")
                    while len(body) < length:
                        more = self.request.recv(65536)
                        if not more:
                            break
                        body += more
                    with outer.lock:
                        outer.requests.append(head + b"\r\n\r\n" + body)
                        n = len(outer.requests)
                    if n > outer.max_requests:
                        return
                    self.request.sendall(outer.responder(n, head + b"\r\n\r\n" + body))
                except (OSError, ValueError):
                    pass

        class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def http_response(status, body, content_type="text/html", extra_headers=(), declared_length=None):
    """Raw HTTP/1.1 response bytes; declared_length > len(body) makes a cut-off response."""
    reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error",
              502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "Status")
    length = len(body) if declared_length is None else declared_length
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}",
            f"Content-Length: {length}", "Connection: close"]
    head += list(extra_headers)
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def free_port():
    """A port on 127.0.0.1 with nothing listening (for 'connection refused' cases)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
