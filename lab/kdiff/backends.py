"""Controllable real servers for the keepalived differential, all in one namespace.

Each backend is a listener (TCP) or a socket (UDP) opened inside the real servers' namespace
(a socket keeps the namespace it was created in) and served by threads of the harness itself:
no exec, which costs 0.1-0.5 s in the lab. A mode says how it answers, and an event changes it:

  http/https  ok (200, body "ok ADDR"), 500, 404, body2 (200 with another body: a digest
              fails), hang (accept, read, never answer), stop (listener closed: refused);
              with host=H, any other Host header gets 404 (shows that virtualhost is sent)
  tcp         ok (accept, then close when the peer does), hang, stop
  smtp        ok (220 greeting, 250 to HELO/EHLO, 221 to QUIT), bad (421 greeting), hang, stop
  udp         ok (reply: the reply= bytes, else the request echoed), silent (read, never
              answer), stop (socket closed: the kernel answers ICMP port unreachable)

Modes can differ per HTTP path ("/ready" 500 while "/" is ok).
"""
import select
import socket
import ssl
import threading
import time

import nslib


def split_hostport(text):
    """10.0.0.1:80 or [2001:db8::1]:80."""
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


class Backend:
    def __init__(self, kind, addr, ns, options, tls_context=None):
        self.kind, self.addr, self.ns, self.options = kind, addr, ns, options
        self.host, self.port = split_hostport(addr)
        self.modes = {"*": options.get("mode", "ok")}
        self.tls = tls_context
        self.sock = None
        self.closed = False
        self.changed = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name="backend " + addr, daemon=True)

    def start(self):
        self._sync_socket()
        self.thread.start()

    def mode(self, path="*"):
        return self.modes.get(path, self.modes["*"])

    def set_mode(self, mode, path=None):
        with self.lock:
            if path:
                self.modes[path] = mode
            else:
                self.modes = {"*": mode}
        self._sync_socket()
        self.changed.set()

    def close(self):
        self.closed = True
        self.set_mode("stop")

    def _open(self):
        with nslib.inside(self.ns):
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            if self.kind == "udp":
                s = socket.socket(family, socket.SOCK_DGRAM)
            else:
                s = socket.socket(family, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((self.host, self.port))
            if self.kind != "udp":
                s.listen(64)
        return s

    def _sync_socket(self):
        """Opens or closes the socket to match the mode: 'stop' means nothing listens."""
        with self.lock:
            want = self.modes["*"] != "stop" and not self.closed
            if want and self.sock is None:
                self.sock = self._open()
            elif not want and self.sock is not None:
                self.sock.close()
                self.sock = None

    def _loop(self):
        while not self.closed:
            s = self.sock
            if s is None:
                self.changed.wait(0.2)
                self.changed.clear()
                continue
            try:
                ready, _, _ = select.select([s], [], [], 0.2)
            except (OSError, ValueError):
                continue
            if not ready:
                continue
            try:
                if self.kind == "udp":
                    data, peer = s.recvfrom(65536)
                    if self.mode() == "ok":
                        reply = bytes.fromhex(self.options["reply"]) if "reply" in self.options else data
                        s.sendto(reply, peer)
                    continue
                conn, _ = s.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _hang(self, conn):
        """Holds the connection open without answering until the mode changes (or 60 s)."""
        end = time.time() + 60
        start_modes = dict(self.modes)
        while time.time() < end and self.modes == start_modes and not self.closed:
            time.sleep(0.2)
        conn.close()

    def _serve(self, conn):
        try:
            conn.settimeout(10)
            if self.kind in ("http", "https"):
                if self.kind == "https":
                    conn = self.tls.wrap_socket(conn, server_side=True)
                self._http(conn)
            elif self.kind == "smtp":
                self._smtp(conn)
            else:
                if self.mode() == "hang":
                    self._hang(conn)
                    return
                while conn.recv(4096):
                    pass
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _http(self, conn):
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        parts = head[0].split()
        path = parts[1] if len(parts) > 1 else "/"
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        mode = self.mode(path)
        if mode == "hang":
            self._hang(conn)
            return
        status, body = 200, ("ok %s\n" % self.addr).encode()
        if mode == "500":
            status, body = 500, b"failing\n"
        elif mode == "404":
            status, body = 404, b"not found\n"
        elif mode == "body2":
            body = ("changed %s\n" % self.addr).encode()
        want_host = self.options.get("host")
        if want_host and headers.get("host", "").split(":")[0] != want_host:
            status, body = 404, b"unknown virtual host\n"
        reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}[status]
        conn.sendall(("HTTP/1.0 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                      % (status, reason, len(body))).encode() + body)

    def _smtp(self, conn):
        mode = self.mode()
        if mode == "hang":
            self._hang(conn)
            return
        if mode == "bad":
            conn.sendall(b"421 mx.example.test busy\r\n")
            return
        conn.sendall(b"220 mx.example.test ESMTP\r\n")
        buf = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                verb = line.strip().split(b" ")[0].upper()
                if verb in (b"HELO", b"EHLO"):
                    conn.sendall(b"250 mx.example.test\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")
