"""Network namespace plumbing for the HA lab, without starting programs.

On the lab's kernel every exec costs 0.1-0.5 s, so this process does what it can itself:
it enters a namespace with setns(2) to write its sysctls or to open sockets there (a socket
keeps the namespace it was created in), and it watches addresses, links and routes through
rtnetlink sockets opened in each namespace (the times are when the kernel announced the change,
read by a process that does nothing else).
"""
import contextlib
import ctypes
import json
import os
import select
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if hasattr(os, "setns"):
        os.setns(fd, CLONE_NEWNET)
        return
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: " + os.strerror(err))


def enter(name):
    """Moves the calling thread (the whole process when it has one thread) into namespace NAME for good."""
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        setns(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def inside(name):
    """Runs the block inside namespace NAME (None: where we are), then comes back."""
    if name is None:
        yield
        return
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        enter(name)
        try:
            yield
        finally:
            setns(home)
    finally:
        os.close(home)


def sysctl(ns, values):
    """Writes net sysctls ({"net.ipv4.conf.all.arp_ignore": 1, ...}) inside namespace NS."""
    with inside(ns):
        for key, value in values.items():
            with open("/proc/sys/" + key.replace(".", "/"), "w") as f:
                f.write(str(value))


# --- rtnetlink ---------------------------------------------------------------------------
RTMGRP_LINK = 0x1
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV4_ROUTE = 0x40
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
NLMSG_DONE, NLMSG_ERROR = 3, 2
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
IFF_UP, IFF_RUNNING, IFF_LOWER_UP = 0x1, 0x40, 0x10000
ROUTE_TYPES = {1: "unicast", 2: "local", 3: "broadcast", 6: "blackhole", 7: "unreachable", 8: "prohibit"}


def _attrs(data, offset):
    out = {}
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4:
            break
        out[kind & 0x7FFF] = data[offset + 4: offset + length]
        offset += (length + 3) & ~3
    return out


def _ipv4(raw):
    return socket.inet_ntoa(raw) if raw is not None and len(raw) == 4 else None


def parse(data):
    """Yields one dict per rtnetlink message of interest in DATA."""
    offset = 0
    while offset + 16 <= len(data):
        length, kind, _flags, _seq, _pid = struct.unpack_from("=IHHII", data, offset)
        if length < 16:
            break
        body = data[offset + 16: offset + length]
        offset += (length + 3) & ~3
        if kind in (RTM_NEWADDR, RTM_DELADDR) and len(body) >= 8:
            family, prefix, _f, _scope, index = struct.unpack_from("=BBBBI", body, 0)
            if family != socket.AF_INET:
                continue
            a = _attrs(body, 8)
            yield {"ev": "addr+" if kind == RTM_NEWADDR else "addr-", "addr": _ipv4(a.get(2) or a.get(1)),
                   "prefix": prefix, "index": index, "dev": (a.get(3) or b"").rstrip(b"\0").decode()}
        elif kind in (RTM_NEWLINK, RTM_DELLINK) and len(body) >= 16:
            _family, _pad, _type, index, flags, _change = struct.unpack_from("=BBHiII", body, 0)
            a = _attrs(body, 16)
            carrier = a.get(33)
            yield {"ev": "link+" if kind == RTM_NEWLINK else "link-", "index": index,
                   "dev": (a.get(3) or b"").rstrip(b"\0").decode(), "up": bool(flags & IFF_UP),
                   "lower_up": bool(flags & IFF_LOWER_UP), "carrier": carrier[0] if carrier else None}
        elif kind in (RTM_NEWROUTE, RTM_DELROUTE) and len(body) >= 12:
            family, dst_len, _src, _tos, table, _proto, _scope, rtype = struct.unpack_from("=BBBBBBBB", body, 0)
            if family != socket.AF_INET or table != 254:  # the main table only
                continue
            a = _attrs(body, 12)
            yield {"ev": "route+" if kind == RTM_NEWROUTE else "route-", "dst": _ipv4(a.get(1)) or "0.0.0.0",
                   "len": dst_len, "type": ROUTE_TYPES.get(rtype, str(rtype))}
        elif kind == NLMSG_DONE:
            yield {"ev": "dump-done"}


def open_monitor(ns):
    """An rtnetlink socket inside namespace NS (None: here) subscribed to links, IPv4 addresses
    and routes, with a dump of the current addresses and links requested."""
    with inside(ns):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE))
    return s


def request_dump(s, kind, seq):
    body = struct.pack("=BBBBI", socket.AF_INET, 0, 0, 0, 0) if kind == RTM_GETADDR else struct.pack("=BBHiII", 0, 0, 0, 0, 0, 0)
    s.send(struct.pack("=IHHII", 16 + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body)


def monitor_main(namespaces, out_fd):
    """The monitor process: one rtnetlink socket per namespace ("" is the namespace we run in),
    a JSON line per change on OUT_FD, each with the time it was read ("t", Unix seconds)."""
    out = os.fdopen(out_fd, "w", buffering=1)
    sockets = {}
    for ns in namespaces:
        s = open_monitor(ns or None)
        sockets[s.fileno()] = (ns, s)
    # The initial state: addresses first, then links, one dump at a time per socket.
    pending = {}
    for fd, (ns, s) in sockets.items():
        request_dump(s, RTM_GETADDR, 1)
        pending[fd] = [RTM_GETLINK]
    poller = select.poll()
    for fd in sockets:
        poller.register(fd, select.POLLIN)
    while True:
        for fd, _ in poller.poll():
            ns, s = sockets[fd]
            try:
                data = s.recv(1 << 16)
            except OSError as e:  # ENOBUFS: events were lost; say so
                print(json.dumps({"t": time.time(), "ns": ns, "ev": "overrun", "error": str(e)}), file=out)
                continue
            now = time.time()
            for event in parse(data):
                if event["ev"] == "dump-done":
                    if pending.get(fd):
                        request_dump(s, pending[fd].pop(0), 2)
                    else:
                        print(json.dumps({"t": now, "ns": ns, "ev": "ready"}), file=out)
                    continue
                event["t"] = now
                event["ns"] = ns
                print(json.dumps(event), file=out)


if __name__ == "__main__":  # a manual check: python3 nslib.py NS... prints changes
    monitor_main(sys.argv[1:] or [""], sys.stdout.fileno())
