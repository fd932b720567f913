#!/usr/bin/env python3
"""The same sidecar in Python (standard library only).

    PORT=8080 HOST=127.0.0.1 python3 examples/sidecar/server.py

Each POST /messages is one message; 2xx acknowledges it, 5xx/408/429 asks for
a retry, other 4xx sends it to the dead-letter topic.
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

handled = 0


class Sidecar(BaseHTTPRequestHandler):
    def do_POST(self):
        global handled
        if self.path != "/messages":
            self.send_response(404)
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        key = self.headers.get("ringleader-key")
        handled += 1
        print(json.dumps({
            "msg": "handled",
            "key": None if key is None else unquote(key),
            "range": int(self.headers.get("ringleader-range", -1)),
            "partition": int(self.headers.get("ringleader-partition", -1)),
            "offset": self.headers.get("ringleader-offset"),
            "attempt": int(self.headers.get("ringleader-attempt", 0)),
            "bytes": len(body),
            "handled": handled,
        }), flush=True)
        # Your work goes here; answer 500 to have ringleader retry.
        reply = b'{"status":"SUCCESS"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, fmt, *args):  # one JSON line per message is enough
        pass


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    host = os.environ.get("HOST", "127.0.0.1")
    server = ThreadingHTTPServer((host, port), Sidecar)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(json.dumps({"msg": "sidecar listening", "url": f"http://{host}:{port}/messages"}), flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        server.server_close()
