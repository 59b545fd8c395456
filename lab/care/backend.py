#!/usr/bin/env python3
"""A real server for the ipvs care lab: HTTPS, HTTP or plain TCP on one port or many.

With --supervise it reads server command lines on standard input ("--name rs1 --netns NS --port
443 ..."), one per line, and forks a server for each into network namespace NS. Python starts
slowly on the lab's kernel (seconds); a fork of an already started interpreter takes
milliseconds, so servers can be started and restarted quickly.

Answers GET /healthz (or the path given by --health-path) with 200 "ok" and any other request
with its name, so a client can tell which real server answered. Keeps HTTP/1.1 connections
alive. Signals change its behaviour while it runs:
  SIGUSR1  toggle "hang": accept connections but never answer (nor finish a TLS handshake)
  SIGUSR2  toggle "sick": answer the health path with 500
One single-threaded event loop (selectors), so one process can serve a thousand ports.

  backend.py --name rs1 --port 443 --mode https --cert c.pem --key k.pem [--log requests.log]
  backend.py --name bench --ports 20000-20249 --mode http
"""
import argparse
import ctypes
import os
import selectors
import signal
import socket
import ssl
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--supervise", action="store_true", help="fork servers described on standard input")
parser.add_argument("--netns", help="enter this network namespace (/run/netns/NAME) first")
parser.add_argument("--name")
parser.add_argument("--bind", default="0.0.0.0")
parser.add_argument("--port", type=int)
parser.add_argument("--ports", help="FIRST-LAST: listen on every port of the range")
parser.add_argument("--mode", choices=["https", "http", "tcp"], default="https")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--health-path", default="/healthz")
parser.add_argument("--log", help="append each request (method, path, headers, body) to this file")
parser.add_argument("--hang", action="store_true", help="start hanging")
args = parser.parse_args()


def enter(netns):
    fd = os.open("/run/netns/" + netns, os.O_RDONLY)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
        raise OSError(ctypes.get_errno(), "setns " + netns)
    os.close(fd)


if args.supervise:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # no zombies
    for line in sys.stdin:
        if not line.strip():
            continue
        child_args = parser.parse_args(line.split())
        if os.fork() == 0:
            args = child_args
            break
    else:
        sys.exit(0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    sys.stdin.close()

if args.netns:
    enter(args.netns)

state = {"hang": args.hang, "sick": False}
selector = selectors.DefaultSelector()
parked = []  # connections held without an answer while hanging
context = None
if args.mode == "https":
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
log = open(args.log, "a", buffering=1) if args.log else None


class Connection:
    def __init__(self, sock):
        self.sock = sock
        self.handshaken = context is None
        self.data = b""
        self.out = b""
        self.close_after = False


def toggle_hang(signum, frame):
    state["hang"] = not state["hang"]
    if not state["hang"]:
        for conn in parked:
            if args.mode == "tcp":
                answer_tcp(conn)
            else:
                selector.register(conn.sock, selectors.EVENT_READ, conn)
        parked.clear()
    print(f"{args.name}: hang={state['hang']}", flush=True)


def toggle_sick(signum, frame):
    state["sick"] = not state["sick"]
    print(f"{args.name}: sick={state['sick']}", flush=True)


signal.signal(signal.SIGUSR1, toggle_hang)
signal.signal(signal.SIGUSR2, toggle_sick)
signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))


def close(conn):
    try:
        selector.unregister(conn.sock)
    except (KeyError, ValueError):
        pass
    try:
        conn.sock.close()
    except OSError:
        pass


def answer_tcp(conn):
    try:
        conn.sock.setblocking(True)
        conn.sock.sendall((args.name + "\n").encode())
        conn.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.sock.close()


def accept(listener):
    try:
        sock, _ = listener.accept()
    except OSError:
        return
    sock.setblocking(False)
    if context is not None:
        sock = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
    conn = Connection(sock)
    if state["hang"]:
        parked.append(conn)
        return
    if args.mode == "tcp":
        answer_tcp(conn)
        return
    selector.register(sock, selectors.EVENT_READ, conn)


def respond(conn, request):
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = (lines[0].split(" ") + ["", "", ""])[:3]
    headers = [line for line in lines[1:] if line]
    if log:
        try:
            peer = conn.sock.getpeername()[0]
        except OSError:
            peer = "?"
        log.write(f"{time.time():.3f} from={peer} {method} {path} headers={headers!r} body={body.decode('latin-1')!r}\n")
    if path.split("?")[0] == args.health_path:
        status, text = (500, "sick\n") if state["sick"] else (200, "ok\n")
    else:
        status, text = 200, args.name + "\n"
    reason = {200: "OK", 500: "Internal Server Error"}[status]
    payload = text.encode()
    conn.close_after = any(h.lower().replace(" ", "") == "connection:close" for h in headers)
    conn.out += (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(payload)}\r\n"
                 f"{'Connection: close' + chr(13) + chr(10) if conn.close_after else ''}\r\n").encode() + payload


def service(conn):
    if state["hang"]:
        selector.unregister(conn.sock)
        parked.append(conn)
        return
    try:
        if not conn.handshaken:
            conn.sock.do_handshake()
            conn.handshaken = True
        chunk = conn.sock.recv(65536)
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
        return
    except (OSError, ssl.SSLError):
        close(conn)
        return
    if not chunk:
        close(conn)
        return
    conn.data += chunk
    while b"\r\n\r\n" in conn.data:
        head, _, rest = conn.data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        if len(rest) < length:
            break
        respond(conn, head + b"\r\n\r\n" + rest[:length])
        conn.data = rest[length:]
    if conn.out:
        try:
            conn.sock.setblocking(True)
            conn.sock.sendall(conn.out)
            conn.sock.setblocking(False)
        except OSError:
            close(conn)
            return
        conn.out = b""
        if conn.close_after:
            close(conn)


ports = [args.port] if args.port else list(range(int(args.ports.split("-")[0]), int(args.ports.split("-")[1]) + 1))
family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
for port in ports:
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.bind, port))
    listener.listen(128)
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ, None)
print(f"{args.name}: listening on {len(ports)} port(s), {args.mode}, pid {os.getpid()}", flush=True)
signal.signal(signal.SIGINT, signal.SIG_DFL)

while True:
    try:
        events = selector.select(timeout=1)
    except InterruptedError:
        continue
    for key, _ in events:
        if key.data is None:
            accept(key.fileobj)
        else:
            service(key.data)
