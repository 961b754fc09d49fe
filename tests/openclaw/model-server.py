#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""model-server: a scripted, OpenAI-compatible chat-completions server.

OpenClaw's agent turns need a model. This one is a script: each request to
POST /v1/chat/completions is answered with the next step of SCRIPT (a JSON
list), streamed as OpenAI's server-sent chunks, as OpenClaw asks for them:

    {"tool": "exec", "args": {"command": "cat ~/.ssh/id_rsa"}}
    {"text": "done"}

A step that is a list of tool steps is answered as parallel tool calls. When
the script is used up, every further request gets the text "done". Every
request body is appended to LOG (one JSON object per line): the tool results
OpenClaw sends back to the model are the test's evidence.

Usage: model-server.py --port-file FILE --log LOG SCRIPT
The server listens on 127.0.0.1, an ephemeral port, written to FILE once it
accepts connections.
"""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "scripted"


class Script:
    def __init__(self, steps, log):
        self.steps = list(steps)
        self.log = log
        self.lock = threading.Lock()
        self.calls = 0

    def next(self, body):
        with self.lock:
            with open(self.log, "a") as f:
                f.write(json.dumps(body) + "\n")
            self.calls += 1
            return self.steps.pop(0) if self.steps else {"text": "done"}


def chunk(delta, finish=None):
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def chunks_of(step, serial):
    """The streamed chunks that answer with @step."""
    tools = step if isinstance(step, list) else ([step] if "tool" in step else [])
    if not tools:
        yield chunk({"role": "assistant", "content": step.get("text", "")})
        yield chunk({}, "stop")
        return
    calls = [
        {
            "index": i,
            "id": f"call_{serial}_{i}",
            "type": "function",
            "function": {"name": t["tool"], "arguments": json.dumps(t.get("args", {}))},
        }
        for i, t in enumerate(tools)
    ]
    yield chunk({"role": "assistant", "content": None, "tool_calls": calls})
    yield chunk({}, "tool_calls")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            self.send_json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
        else:
            self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self.send_json(400, {"error": {"message": "bad JSON"}})
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": "not found"}})
            return
        script = self.server.script
        step = script.next(body)
        serial = script.calls
        if not body.get("stream"):
            msg = {"role": "assistant", "content": None}
            parts = list(chunks_of(step, serial))
            delta = parts[0]["choices"][0]["delta"]
            msg.update({k: v for k, v in delta.items() if k != "role"})
            self.send_json(200, {
                "id": "chatcmpl-scripted", "object": "chat.completion", "model": MODEL,
                "choices": [{"index": 0, "message": msg,
                             "finish_reason": parts[-1]["choices"][0]["finish_reason"]}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for c in chunks_of(step, serial):
            self.wfile.write(b"data: " + json.dumps(c).encode() + b"\n\n")
        usage = chunk({})
        usage["choices"] = []
        usage["usage"] = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        self.wfile.write(b"data: " + json.dumps(usage).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("script")
    a = ap.parse_args()
    with open(a.script) as f:
        steps = json.load(f)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.script = Script(steps, a.log)
    with open(a.port_file + ".new", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(a.port_file + ".new", a.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
