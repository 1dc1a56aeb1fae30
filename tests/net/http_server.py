#!/usr/bin/env python3
"""Tiny HTTP/1.1 test server for CurlTransport tests. Binds 127.0.0.1 on a random port, prints
the port on stdout, and exits on its own after --lifetime seconds (never outlives a test)."""
import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, body, headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _route(self):
        body = self._body()
        path = self.path.split("?")[0]
        query = self.path.split("?")[1] if "?" in self.path else ""
        if path == "/ok":
            self._send(200, b"hello", {"X-Test": "1", "Content-Type": "text/plain"})
        elif path == "/echo":
            doc = {"method": self.command, "path": self.path,
                   "headers": [[k, v] for k, v in self.headers.items()],
                   "body": body.decode("utf-8", "replace")}
            self._send(200, json.dumps(doc).encode(), {"Content-Type": "application/json"})
        elif path == "/port":
            self._send(200, str(self.client_address[1]).encode())
        elif path.startswith("/status/"):
            self._send(int(path.split("/")[2]), b'{"__type":"ServiceUnavailableException"}',
                       {"x-amzn-RequestId": "rid-42"})
        elif path == "/slow":
            time.sleep(float(query or "5"))
            self._send(200, b"late")
        elif path == "/big":
            n = int(query)
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            chunk = b"x" * 65536
            left = n
            while left > 0:
                part = chunk[: min(left, len(chunk))]
                self.wfile.write(part)
                left -= len(part)
        elif path == "/reset":
            # RST instead of FIN: SO_LINGER with a zero timeout, then close.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"only a part")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"begin")
            self.wfile.flush()
            time.sleep(float(query or "10"))
        else:
            self._send(404, b"not found")

    do_GET = _route
    do_POST = _route
    do_PUT = _route


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lifetime", type=float, default=60.0)
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)

    def killer():
        time.sleep(args.lifetime)
        os._exit(0)

    threading.Thread(target=killer, daemon=True).start()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
