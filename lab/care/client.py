#!/usr/bin/env python3
"""The lab's client: sends requests to a virtual server in a loop, one new connection each, and
prints one line per request: "TIME ok NAME" (the real server that answered) or "TIME fail REASON".

  client.py --target 198.18.200.1:443 --mode https [--timeout 1] [--pause 0.05] [--duration 60] [--count N]
Stops after --duration seconds, --count requests, or when the file --stop-file exists.
"""
import argparse
import os
import socket
import ssl
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--target", required=True)
parser.add_argument("--mode", choices=["https", "http", "tcp"], default="https")
parser.add_argument("--timeout", type=float, default=1.0)
parser.add_argument("--pause", type=float, default=0.05)
parser.add_argument("--duration", type=float, default=3600)
parser.add_argument("--count", type=int, default=0)
parser.add_argument("--stop-file")
args = parser.parse_args()

host, _, port = args.target.rpartition(":")
host = host.strip("[]")
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE


def request():
    with socket.create_connection((host, int(port)), timeout=args.timeout) as raw:
        raw.settimeout(args.timeout)
        sock = context.wrap_socket(raw) if args.mode == "https" else raw
        if args.mode != "tcp":
            sock.sendall(f"GET / HTTP/1.1\r\nHost: {args.target}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        if args.mode == "tcp":
            return data.decode().strip()
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b" ")[1].decode() if b" " in head else "?"
        if status != "200":
            raise OSError(f"status {status}")
        return body.decode().strip()


started = time.time()
sent = 0
while time.time() - started < args.duration and (args.count == 0 or sent < args.count):
    if args.stop_file and os.path.exists(args.stop_file):
        break
    at = time.time()
    try:
        name = request()
        print(f"{at:.3f} ok {name}", flush=True)
    except (OSError, ssl.SSLError) as e:
        reason = type(e).__name__ if not str(e) else str(e).replace(" ", "_")[:60]
        print(f"{at:.3f} fail {reason}", flush=True)
    sent += 1
    time.sleep(args.pause)
