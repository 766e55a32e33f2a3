"""An OpenAI-compatible endpoint for the GUI tests that answers by model name, so each GUI case
chooses its scenario through the "Model name" preference, whatever order the cases run in.

Streaming requests get server-sent events like a real server. The "slow" model sends its first
piece and then holds the connection until the stub is closed (the Cancel case).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CYLINDER = "import cadquery as cq\nradius = 12.0\nsolid = cq.Workplane('XY').circle(radius).extrude(10)\n"
BROKEN = "import cadquery as cq\nsolid = cq.Workplane().circle(r).extrude(1)\n"
# Edit with prompt's model edit of the GUI cases' 10 x 20 x 30 box: a 4 mm hole from the top.
HOLE = (
    "import cadquery as cq\nlength = 10.0\nsolid = cq.Workplane().box(length, 20, 30)\n"
    "solid = solid.faces('>Z').workplane().hole(4)\n"
)
# Issue 14's candidates: three different answers for the cylinder picture, one per request in turn
# (the stub answers one choice per request, so the client asks again for each candidate).
THREE_PARTS = (
    CYLINDER,
    "import cadquery as cq\nside = 24.0\nsolid = cq.Workplane('XY').box(side, side, 10)\n",
    "import cadquery as cq\nradius = 12.0\nbore = 8.0\n"
    "solid = cq.Workplane('XY').circle(radius).circle(bore / 2).extrude(10)\n",
)
REPLIES = {
    "cylinder": ["```python\n", CYLINDER, "```"],
    "broken": [BROKEN],
    "slow": ["import cadquery as cq\n", "solid = cq.Workplane().box(1, 1, 1)\n"],
    "edit-hole": ["Here is the program with the hole:\n```python\n", HOLE, "```"],
}


@contextmanager
def model_stub() -> Iterator[tuple[str, list[dict]]]:
    """(base URL, the requests it received: model, auth header, streamed or not)."""
    requests: list[dict] = []
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return

        def do_GET(self) -> None:
            self._json(
                {"object": "list", "data": [{"id": m, "object": "model"} for m in [*REPLIES, "three-parts"]]}
            )

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            model = body.get("model")
            requests.append(
                {"model": model, "auth": self.headers.get("Authorization"), "stream": body.get("stream")}
            )
            pieces = REPLIES.get(model)
            if model == "three-parts":
                asked = sum(1 for r in requests if r["model"] == model) - 1
                pieces = [THREE_PARTS[asked % len(THREE_PARTS)]]
            if pieces is None:
                self._json({"error": {"message": f"no model {model}"}}, status=404)
                return
            if not body.get("stream"):
                self._json(
                    {"choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(pieces)}}]}
                )
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for number, piece in enumerate(pieces):
                if model == "slow" and number == 1:
                    release.wait(120)
                    return
                chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")

        def _json(self, payload: dict, status: int = 200) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", requests
    finally:
        release.set()
        server.shutdown()
        server.server_close()
