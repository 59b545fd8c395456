"""Traffic for the HA lab: echo real servers, and a client that holds streams through the
virtual address and opens short connections all along, checking every line that comes back.

Both run as forked children of the driver, each moved into its namespace with setns(2), each a
single-threaded event loop (selectors), so that nothing in them waits on anything but the network.

Stream protocol: the server greets a new connection with "hello NAME\\n" and then echoes every
byte it receives. A stream sends "s<ID> <SEQ> ...\\n" lines at a fixed cadence; each echoed line
must be the next one sent, byte for byte. A short connection (a probe) sends one line and
succeeds when the greeting and the echo are back within its timeout.
"""
import errno
import heapq
import itertools
import json
import os
import selectors
import socket
import time

import nslib


# --- the real server ---------------------------------------------------------------------
def echo_main(ns, name, port, ready_fd):
    """An echo server on 0.0.0.0:PORT inside namespace NS; writes "ready" to READY_FD once listening."""
    nslib.enter(ns)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(512)
    listener.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    os.write(ready_fd, b"ready\n")
    os.close(ready_fd)
    hello = ("hello %s\n" % name).encode()
    pending = {}  # socket -> bytes still to send

    def drop(conn):
        sel.unregister(conn)
        pending.pop(conn, None)
        conn.close()

    def flush(conn):
        data = pending[conn]
        try:
            sent = conn.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            drop(conn)
            return
        pending[conn] = data[sent:]
        sel.modify(conn, selectors.EVENT_READ | (selectors.EVENT_WRITE if pending[conn] else 0), "conn")

    while True:
        for key, mask in sel.select():
            if key.data is None:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                pending[conn] = hello
                sel.register(conn, selectors.EVENT_READ, "conn")
                flush(conn)
                continue
            conn = key.fileobj
            if mask & selectors.EVENT_READ:
                try:
                    data = conn.recv(65536)
                except OSError:
                    drop(conn)
                    continue
                if not data:
                    drop(conn)
                    continue
                pending[conn] += data
                flush(conn)
            elif mask & selectors.EVENT_WRITE and conn in pending:
                flush(conn)


# --- the client ----------------------------------------------------------------------------
def _reason(code):
    return errno.errorcode.get(code, str(code))


class Stream:
    """A long-lived connection sending a line every INTERVAL seconds and checking the echoes."""

    def __init__(self, engine, ident, group, kind, interval):
        self.engine, self.id, self.group, self.kind, self.interval = engine, ident, group, kind, interval
        self.sock = None
        self.state = "connecting"  # connecting, hello, open, closing, closed, reset, failed
        self.started = time.time()
        self.opened = None
        self.served_by = None
        self.inbuf = b""
        self.outbuf = b""
        self.seq = 0
        self.outstanding = {}  # seq -> (line, sent at)
        self.next_expected = 1
        self.sent = 0
        self.echoed = 0
        self.last_echo = None
        self.max_gap = 0.0
        self.max_gap_at = None
        self.max_latency = 0.0
        self.ended = None
        self.reason = None
        self.error = None

    def result(self):
        lost = len(self.outstanding) if self.state in ("closed", "reset", "failed", "stuck") else None
        return {"id": self.id, "group": self.group, "kind": self.kind, "served_by": self.served_by,
                "opened": self.opened, "state": self.state, "ended": self.ended, "reason": self.reason,
                "sent": self.sent, "echoed": self.echoed, "lost": lost, "max_gap": round(self.max_gap, 3),
                "max_gap_at": self.max_gap_at, "max_latency": round(self.max_latency, 3), "error": self.error}

    def end(self, state, reason):
        if self.state in ("closed", "reset", "failed", "stuck"):
            return
        now = time.time()
        if self.outstanding:  # the time the oldest unanswered line waited counts as a gap too
            oldest = min(t for _, t in self.outstanding.values())
            gap = now - max(oldest, self.last_echo or oldest)
            if gap > self.max_gap:
                self.max_gap, self.max_gap_at = gap, max(oldest, self.last_echo or oldest)
        self.state, self.reason, self.ended = state, reason, now
        if self.sock is not None:
            self.engine.sel.unregister(self.sock)
            if state == "reset":
                self.sock.close()
            else:
                self.sock.close()
            self.sock = None

    def send_line(self):
        if self.state != "open":
            return
        self.seq += 1
        now = time.time()
        line = ("s%d %d %.3f %s\n" % (self.id, self.seq, now, self.kind)).encode()
        self.outstanding[self.seq] = (line, now)
        self.sent += 1
        self.outbuf += line
        self.flush()
        if self.state == "open":
            self.engine.at(now + self.interval, self.send_line)

    def flush(self):
        if not self.outbuf or self.sock is None:
            return
        try:
            n = self.sock.send(self.outbuf)
            self.outbuf = self.outbuf[n:]
        except BlockingIOError:
            pass
        except OSError as e:
            self.end("reset", _reason(e.errno))
            return
        self.engine.sel.modify(self.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if self.outbuf else 0), self)

    def on_event(self, mask):
        if self.state == "connecting":
            if mask & selectors.EVENT_WRITE:
                code = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    self.end("failed", "connect " + _reason(code))
                    return
                self.state = "hello"
                self.engine.sel.modify(self.sock, selectors.EVENT_READ, self)
            return
        if mask & selectors.EVENT_WRITE:
            self.flush()
        if mask & selectors.EVENT_READ and self.sock is not None:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            except OSError as e:
                self.end("reset" if self.state in ("open", "closing") else "failed", _reason(e.errno))
                return
            if not data:
                self.end("reset" if self.state in ("open", "closing") else "failed", "closed by the peer")
                return
            self.inbuf += data
            self.lines()

    def lines(self):
        now = time.time()
        while b"\n" in self.inbuf:
            line, self.inbuf = self.inbuf.split(b"\n", 1)
            line += b"\n"
            if self.state == "hello":
                if not line.startswith(b"hello "):
                    self.error = "greeting %r" % line
                    self.end("failed", "bad greeting")
                    return
                self.served_by = line[6:-1].decode()
                self.state = "open"
                self.opened = now
                self.engine.opened(self)
                self.send_line()
                continue
            expected = self.outstanding.pop(self.next_expected, None)
            if expected is None or expected[0] != line:
                self.error = "line %d: got %r, expected %r" % (self.next_expected, line, expected and expected[0])
                self.end("failed", "wrong echo")
                return
            sent_at = expected[1]
            gap = now - max(sent_at, self.last_echo or sent_at)
            if gap > self.max_gap:
                self.max_gap, self.max_gap_at = gap, max(sent_at, self.last_echo or sent_at)
            self.max_latency = max(self.max_latency, now - sent_at)
            self.last_echo = now
            self.echoed += 1
            self.next_expected += 1
        if self.state == "closing" and not self.outstanding:
            self.end("closed", "closed by the client")
            self.engine.check_closing()


class Probe:
    """A short connection: connect, one line, greeting and echo back, close."""

    def __init__(self, engine, number, timeout):
        self.engine, self.number = engine, number
        self.start = time.time()
        self.deadline = self.start + timeout
        self.sock = None
        self.buf = b""
        self.line = ("probe %d\n" % number).encode()
        self.done = False
        self.connected = False

    def finish(self, ok, reason, server=None):
        if self.done:
            return
        self.done = True
        if self.sock is not None:
            try:
                self.engine.sel.unregister(self.sock)
            except (KeyError, ValueError):
                pass
            self.sock.close()
        self.engine.probes.append((round(self.start, 3), round(time.time(), 3), ok, reason, server))

    def expire(self):
        self.finish(False, "timeout (connected)" if self.connected else "timeout")

    def on_event(self, mask):
        if not self.connected:
            code = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                self.finish(False, _reason(code))
                return
            self.connected = True
            try:
                self.sock.send(self.line)
            except OSError as e:
                self.finish(False, _reason(e.errno))
                return
            self.engine.sel.modify(self.sock, selectors.EVENT_READ, self)
            return
        try:
            data = self.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError as e:
            self.finish(False, _reason(e.errno))
            return
        if not data:
            self.finish(False, "closed by the peer")
            return
        self.buf += data
        lines = self.buf.split(b"\n")
        if len(lines) >= 3:
            if lines[0].startswith(b"hello ") and lines[1] + b"\n" == self.line:
                self.finish(True, "ok", lines[0][6:].decode())
            else:
                self.finish(False, "wrong echo %r" % self.buf)


class Engine:
    """The client process: streams, probes and the commands of the driver (JSON lines)."""

    def __init__(self, target, cmd_fd, out_fd, probe_interval, probe_timeout, fast_interval, slow_interval):
        self.target = target
        self.sel = selectors.DefaultSelector()
        self.timers = []
        self.counter = itertools.count()
        self.streams = []
        self.next_id = 1
        self.probes = []
        self.probe_number = 0
        self.probing = False
        self.probe_interval, self.probe_timeout = probe_interval, probe_timeout
        self.intervals = {"fast": fast_interval, "slow": slow_interval}
        self.cmd = os.fdopen(cmd_fd, "rb", buffering=0)
        os.set_blocking(cmd_fd, False)
        self.cmdbuf = b""
        self.out = os.fdopen(out_fd, "w", buffering=1)
        self.sel.register(cmd_fd, selectors.EVENT_READ, "cmd")
        self.waiting_open = []  # (group, deadline)
        self.closing = []  # (group, deadline)

    def at(self, when, fn):
        heapq.heappush(self.timers, (when, next(self.counter), fn))

    def reply(self, obj):
        self.out.write(json.dumps(obj) + "\n")

    def connect(self, obj):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        code = s.connect_ex(self.target)
        obj.sock = s
        if code not in (0, errno.EINPROGRESS):
            return _reason(code)
        self.sel.register(s, selectors.EVENT_WRITE, obj)
        return None

    # streams
    def open_group(self, group, fast, slow, timeout):
        for kind, count in (("fast", fast), ("slow", slow)):
            for _ in range(count):
                stream = Stream(self, self.next_id, group, kind, self.intervals[kind])
                self.next_id += 1
                self.streams.append(stream)
                problem = self.connect(stream)
                if problem:
                    stream.sock.close()
                    stream.sock = None
                    stream.end("failed", "connect " + problem)
        self.waiting_open.append((group, time.time() + timeout))
        self.check_open()

    def opened(self, _stream):
        self.check_open()

    def check_open(self):
        now = time.time()
        for item in list(self.waiting_open):
            group, deadline = item
            members = [s for s in self.streams if s.group == group]
            if all(s.state not in ("connecting", "hello") for s in members) or now > deadline:
                for s in members:
                    if s.state in ("connecting", "hello"):
                        s.end("failed", "not open in time")
                self.waiting_open.remove(item)
                self.reply({"op": "opened", "group": group, "streams": [s.result() for s in members]})

    def close_group(self, group, drain):
        for s in self.streams:
            if s.group == group and s.state == "open":
                s.state = "closing"
                if not s.outstanding:
                    s.end("closed", "closed by the client")
        self.closing.append((group, time.time() + drain))
        self.check_closing()

    def check_closing(self):
        now = time.time()
        for item in list(self.closing):
            group, deadline = item
            members = [s for s in self.streams if s.group == group]
            if any(s.state == "closing" for s in members) and now <= deadline:
                continue
            for s in members:
                if s.state == "closing":
                    s.end("stuck", "lines still unanswered when the client gave up")
            self.closing.remove(item)
            self.reply({"op": "closed", "group": group, "streams": [s.result() for s in members]})
            self.streams = [s for s in self.streams if s.group != group]

    # probes
    def probe(self):
        if not self.probing:
            return
        self.probe_number += 1
        p = Probe(self, self.probe_number, self.probe_timeout)
        problem = self.connect(p)
        if problem:
            p.finish(False, problem)
        else:
            self.at(p.deadline, p.expire)
        self.at(p.start + self.probe_interval, self.probe)

    def stats(self):
        groups = {}
        for s in self.streams:
            g = groups.setdefault(s.group, {"open": 0, "reset": 0, "failed": 0, "sent": 0, "echoed": 0, "waiting": 0,
                                            "max_gap": 0.0, "served_by": {}})
            g["open" if s.state in ("open", "closing") else s.state if s.state in ("reset", "failed") else "failed"] += 1
            g["sent"] += s.sent
            g["echoed"] += s.echoed
            g["waiting"] += len(s.outstanding)
            g["max_gap"] = round(max(g["max_gap"], s.max_gap), 3)
            if s.served_by:
                g["served_by"][s.served_by] = g["served_by"].get(s.served_by, 0) + 1
        ok = sum(1 for p in self.probes if p[2])
        return {"op": "stats", "t": time.time(), "groups": groups, "probes": {"ok": ok, "failed": len(self.probes) - ok,
                "last": self.probes[-1] if self.probes else None}}

    def command(self, c):
        op = c["op"]
        if op == "open":
            self.open_group(c["group"], c.get("fast", 0), c.get("slow", 0), c.get("timeout", 15))
        elif op == "close":
            self.close_group(c["group"], c.get("drain", 15))
        elif op == "probes":
            was, self.probing = self.probing, c["on"]
            if self.probing and not was:
                self.probe()
            self.reply({"op": "probes", "on": self.probing})
        elif op == "stats":
            reply = self.stats()
            reply["tag"] = c.get("tag")
            self.reply(reply)
        elif op == "probelog":
            probes, self.probes = self.probes, []
            self.reply({"op": "probelog", "probes": probes})
        elif op == "quit":
            self.reply({"op": "bye"})
            raise SystemExit(0)

    def run(self):
        self.reply({"op": "ready"})
        while True:
            now = time.time()
            while self.timers and self.timers[0][0] <= now:
                _, _, fn = heapq.heappop(self.timers)
                fn()
                now = time.time()
            timeout = max(0.0, self.timers[0][0] - now) if self.timers else 0.5
            for key, mask in self.sel.select(min(timeout, 0.5)):
                if key.data == "cmd":
                    try:
                        data = self.cmd.read(65536)
                    except BlockingIOError:
                        continue
                    if not data:
                        raise SystemExit(0)
                    self.cmdbuf += data
                    while b"\n" in self.cmdbuf:
                        line, self.cmdbuf = self.cmdbuf.split(b"\n", 1)
                        if line.strip():
                            self.command(json.loads(line))
                else:
                    key.data.on_event(mask)
            if self.waiting_open:
                self.check_open()
            if self.closing:
                self.check_closing()


def client_main(ns, target, cmd_fd, out_fd, probe_interval=0.1, probe_timeout=2.0, fast_interval=0.1, slow_interval=2.0):
    nslib.enter(ns)
    Engine(target, cmd_fd, out_fd, probe_interval, probe_timeout, fast_interval, slow_interval).run()
