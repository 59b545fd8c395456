#!/usr/bin/env python3
"""The keepalived differential: each configuration of a corpus runs twice in one lab boot, in two
director namespaces that reach the same real servers: side A runs the real keepalived (checkers
only, `-C`), side B runs `ipvs import keepalived` + `ipvs care -f` (or, with `--b keepalived`,
keepalived again: the control that proves the harness and the events). A script of events, in
the configuration's `#@` comments (tests/keepalived-corpus/README.md), is played against the real
servers; after each event, once both IPVS tables have converged, they must be identical
(`ipvsadm -Sn`, which carries every weight and threshold), each side must show what the event
expects, the notify scripts must have run alike, and B's convergence time must be within one
delay_loop of A's.

Run it inside the lab guest, as root, through lab/kdiff/run (it picks the real python3):

    lab/run -t 1200 -- lab/kdiff/run --out DIR [--b ipvs|keepalived] [--only NAME,...] [--jobs N]

Writes DIR/result.json (every check), DIR/summary.txt ("PASSED FAILED TOTAL"), DIR/kdiff.log and
the logs of every keepalived and ipvs process. Exit status: 0 when every check passed, 3 when
some failed, 1 when the run itself failed.
"""
import argparse
import glob
import ipaddress
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ha"))
import backends  # noqa: E402
import nslib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = "/run/kdiff"              # guest-private (a tmpfs): the corpus names its scripts and files here
RS_NS = "krs"                   # every real server: 198.18.0.0/16 is local there
RS_LINK = "198.19.255.254"
RS_LINK6 = "2001:db8:19:ffff::fe"  # IPv6: configuration N uses real servers 2001:db8:18:N::x, VIPs 2001:db8:19:N::x
BINDTO = "198.19.254.1"         # on every director's lo (the corpus's bindto), masqueraded on the way out
POLL = 0.2                      # table polling interval (reads /proc/PID/net/ip_vs: no exec)
STABLE = 1.5                    # a table unchanged this long has converged
# What polling, a check's own duration and a loaded lab add to "within one delay_loop": CI runs the
# lab at half speed, where keepalived alone ran up to 1.2 s late (23-ipv6's recovery: 5.11 s where
# two checks two seconds apart take 4).
SLACK = POLL * 2 + 1.1


class RunError(Exception):
    pass


def log_line(text):
    sys.stdout.write(time.strftime("%H:%M:%S ") + text + "\n")
    sys.stdout.flush()


def run(argv, ns=None, check=True, timeout=60, stdin=None):
    if ns:
        argv = ["ip", "netns", "exec", ns] + argv
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RunError("%s failed (%d): %s%s" % (" ".join(argv), p.returncode, p.stdout, p.stderr))
    return p


def batch(lines, ns=None, check=True):
    argv = ["ip"] + (["-n", ns] if ns else []) + ["-batch", "-"]
    return run(argv, check=check, stdin="\n".join(lines) + "\n")


# --- the corpus's `#@` language ------------------------------------------------------------

class Event:
    def __init__(self, name, actions, line):
        self.name, self.actions, self.line = name, actions, line
        self.expect = {"all": [], "keepalived": [], "ipvs": []}
        # What a side's table shows between the stop and the start of a `restart` action.
        self.between = {"all": [], "keepalived": [], "ipvs": []}
        self.differs = False
        self.tolerance = None  # seconds allowed between A's and B's convergence (default: delay_loop)


class Config:
    """A keepalived configuration and its script: backends, files, expectations and events."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.backends = []      # (kind, addr, options)
        self.files = []         # (name, content)
        self.timeout = 25.0
        self.start = Event("start", [], 0)
        self.events = []
        self.text = open(path).read()
        self.includes = included_files(path, self.text)  # (path relative to the file's directory, path)
        every_text = self.text + "".join(open(full).read() for _, full in self.includes)
        loops = [float(x) for x in re.findall(r"^\s*delay_loop\s+([0-9.]+)", every_text, re.M)]
        self.delay_loop = max(loops) if loops else 60.0
        current = self.start
        for number, raw in enumerate(self.text.splitlines(), 1):
            line = raw.strip()
            if not line.startswith("#@"):
                continue
            words = line[2:].split()
            if not words:
                continue
            head, rest = words[0], words[1:]
            where = "%s:%d" % (path, number)
            if head in ("http", "https", "tcp", "smtp", "udp", "dns"):
                options = dict(w.split("=", 1) for w in rest[1:])
                self.backends.append((head, rest[0], options))
            elif head == "file":
                self.files.append((rest[0], " ".join(rest[1:])))
            elif head == "timeout":
                self.timeout = float(rest[0])
            elif head == "event":
                text = line[2:].strip()[len("event"):].strip()
                name, _, actions = text.rpartition(": ")  # the name may hold a colon, actions hold no ": "
                acts = [shlex.split(a) for a in actions.split(";") if a.strip()]
                current = Event(name.strip(), acts, number)
                self.events.append(current)
            elif head == "differs":
                current.differs = True
            elif head == "tolerance":
                current.tolerance = float(rest[0])
            elif head.startswith("expect") or head.startswith("between"):
                kind, _, side = head.partition("@")
                side = side or "all"
                if kind not in ("expect", "between") or side not in current.expect:
                    raise RunError("%s: unknown #@ directive %r" % (where, head))
                (current.expect if kind == "expect" else current.between)[side].append(rest)
            else:
                raise RunError("%s: unknown #@ directive %r" % (where, head))

    def altered(self):
        """The control's configuration: the first real server's weight changed."""
        m = re.search(r"^(\s*weight\s+)(\d+)", self.text, re.M)
        if not m:
            raise RunError("%s: no weight to alter for the control" % self.path)
        return self.text[:m.start(2)] + str(int(m.group(2)) + 1) + self.text[m.end(2):]


def included_files(path, text, seen=None):
    """The files TEXT's relative `include GLOB` lines name (and theirs), as (relative path, path):
    each side's copy of the configuration gets them at the same relative places. Absolute
    includes are read where they are."""
    seen = set() if seen is None else seen
    base = os.path.dirname(os.path.abspath(path))
    found = []
    for pattern in re.findall(r"^\s*include\s+(\S+)", text, re.M):
        if os.path.isabs(pattern):
            continue
        for full in sorted(glob.glob(os.path.join(base, pattern))):
            full = os.path.abspath(full)
            if full in seen or not os.path.isfile(full):
                continue
            seen.add(full)
            found.append((os.path.relpath(full, base), full))
            found += [(os.path.join(os.path.dirname(os.path.relpath(full, base)), rel), f)
                      for rel, f in included_files(full, open(full).read(), seen)]
    return found


# --- IPVS tables ----------------------------------------------------------------------------

def _hex_endpoint(text):
    """/proc/net/ip_vs's endpoint (0A000001:0050, or [2001:0db8:...:0001]:0050) as the corpus
    writes it (10.0.0.1:80, [2001:db8::1]:80)."""
    addr, _, port = text.rpartition(":")
    if addr.startswith("["):
        ip = "[%s]" % ipaddress.IPv6Address(addr[1:-1]).compressed
    elif len(addr) == 8:
        ip = ".".join(str(int(addr[i:i + 2], 16)) for i in range(0, 8, 2))
    else:
        ip = addr
    return "%s:%d" % (ip, int(port, 16))


def host_prefix(addr):
    """ADDR as a one-host prefix (/32 or /128)."""
    return "%s/%d" % (addr, 128 if ":" in addr else 32)


def read_table(pid):
    """The IPVS table of PID's namespace, from /proc: {service: {"line": flags, "rs": {rs: (fwd, weight)}}}."""
    with open("/proc/%d/net/ip_vs" % pid) as f:
        lines = f.read().splitlines()[3:]
    table, current = {}, None
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "->":
            table[current]["rs"][_hex_endpoint(parts[1])] = (parts[2], int(parts[3]))
            continue
        proto = parts[0].lower()
        key = "fwm/%d" % int(parts[1], 16) if proto == "fwm" else "%s/%s" % (proto, _hex_endpoint(parts[1]))
        current = key
        table[key] = {"line": " ".join(parts[2:]), "rs": {}}
    return table


def freeze(table):
    return tuple(sorted((k, v["line"], tuple(sorted(v["rs"].items()))) for k, v in table.items()))


def describe(table):
    out = []
    for key in sorted(table):
        rs = ", ".join("%s %s w=%d" % (r, f, w) for r, (f, w) in sorted(table[key]["rs"].items()))
        out.append("%s [%s]" % (key, rs))
    return "; ".join(out) or "(empty)"


def unmet(table, specs, notify_lines):
    """The expectations SPECS that TABLE (and the notify lines) do not meet, in words."""
    bad = []
    for spec in specs:
        text = " ".join(spec)
        if spec[0] == "notify":
            want = " ".join(spec[1:])
            if not any(want == line or line.startswith(want) for line in notify_lines):
                bad.append(text + " (notify lines: %s)" % (notify_lines or "none"))
            continue
        service = table.get(spec[0])
        if len(spec) == 2 and spec[1] == "absent":
            if service is not None:
                bad.append(text)
            continue
        if len(spec) == 2 and spec[1].startswith("servers="):
            if service is None or len(service["rs"]) != int(spec[1][8:]):
                bad.append(text)
            continue
        if len(spec) == 3:
            rs = service["rs"].get(spec[1]) if service else None
            if spec[2] == "absent":
                if rs is not None:
                    bad.append(text)
            elif spec[2].startswith("w="):
                if rs is None or rs[1] != int(spec[2][2:]):
                    bad.append(text)
            else:
                bad.append(text + " (unknown expectation)")
            continue
        if len(spec) == 1 or spec[1] == "present":
            if service is None:
                bad.append(text)
            continue
        bad.append(text + " (unknown expectation)")
    return bad


# --- one director ---------------------------------------------------------------------------

class Side:
    """One director namespace of a slot: a process that holds it (for /proc/PID/net/ip_vs), and
    what runs the configuration there (keepalived, or ipvs care)."""

    def __init__(self, lab, ns, address):
        self.lab, self.ns, self.address = lab, ns, address
        self.holder = None
        self.proc = None
        self.left = {}  # the table a `restart` found between stop and start
        self.kind = None
        self.log_path = None
        self.notify_seen = 0

    @property
    def notify_path(self):
        return os.path.join(RUN, "notify", self.ns + ".log")

    def new_notify_lines(self):
        try:
            with open(self.notify_path) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            lines = []
        new = lines[self.notify_seen:]
        self.notify_seen = len(lines)
        return sorted(new)

    def start(self, kind, conf_text, tag, includes=()):
        """Starts KIND on a copy of the configuration (events may edit it, then reload), with
        the files it includes at the same relative places."""
        self.kind = kind
        work = self.work = os.path.join(RUN, "side", self.ns)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        conf_path = self.conf_path = os.path.join(work, "keepalived.conf")
        with open(conf_path, "w") as f:
            f.write(conf_text)
        for rel, full in includes:
            os.makedirs(os.path.dirname(os.path.join(work, rel)), exist_ok=True)
            shutil.copy(full, os.path.join(work, rel))
        self.log_path = os.path.join(self.lab.out, "logs", "%s-%s-%s.log" % (tag, self.ns[1], kind))
        log = open(self.log_path, "wb")
        if kind == "keepalived":
            argv = keepalived_command(conf_path, work)
        else:
            argv = ipvs_command(self.lab.ipvs, conf_path, work, log)
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns] + argv, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()

    def edit(self, old, new):
        with open(self.conf_path) as f:
            text = f.read()
        if old not in text:
            raise RunError("edit: %r is not in %s" % (old, self.conf_path))
        with open(self.conf_path + ".tmp", "w") as f:
            f.write(text.replace(old, new, 1))
        os.rename(self.conf_path + ".tmp", self.conf_path)

    def reload(self):
        if self.kind == "keepalived":
            self.proc.send_signal(signal.SIGHUP)
        else:
            with open(self.log_path, "ab") as log:
                ipvs_reload(self.lab.ipvs, self.conf_path, self.work, log, self.proc)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def restart(self):
        """Stops the daemon as an operator's restart (or an upgrade) does, reads the table it left,
        and starts it again on the same configuration. Returns that table."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(15)
        left = self.table()
        log = open(self.log_path, "ab")
        log.write(b"\n--- restart ---\n")
        log.flush()
        if self.kind == "keepalived":
            argv = keepalived_command(self.conf_path, self.work)
        else:
            argv = ipvs_command(self.lab.ipvs, self.conf_path, self.work, log)
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns] + argv, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        return left

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        # What a stopped keepalived leaves (it removes only its own services) and the VIPs an event added.
        run(["ipvsadm", "-C"], ns=self.ns, check=False)
        batch(["address flush dev vips"], ns=self.ns, check=False)

    def table(self):
        return read_table(self.holder)

    def saved(self):
        """`ipvsadm -Sn` (services, servers, weights, methods, tunnel options), plus the
        thresholds, which -S leaves out (`ipvsadm -Ln --thresholds`)."""
        p = run(["ipvsadm", "-Sn"], ns=self.ns)
        lines = [line for line in p.stdout.splitlines() if line.strip()]
        p = run(["ipvsadm", "-Ln", "--thresholds"], ns=self.ns)
        service = None
        for line in p.stdout.splitlines()[3:]:
            parts = line.split()
            if not parts:
                continue
            if parts[0] != "->":
                service = " ".join(parts[:2])
            elif parts[2:4] != ["0", "0"]:
                lines.append("thresholds %s -> %s upper %s lower %s" % (service, parts[1], parts[2], parts[3]))
        return sorted(lines)


def keepalived_command(conf_path, work):
    """keepalived in the foreground, its checkers only (-C: no VRRP), logging on the console."""
    return ["keepalived", "-n", "-l", "-D", "-G", "-C", "-f", conf_path,
            "-p", os.path.join(work, "keepalived.pid"), "-c", os.path.join(work, "checkers.pid"),
            "-r", os.path.join(work, "vrrp.pid")]


def ipvs_command(ipvs, conf_path, work, log):
    """B's side: the configuration imported, then kept by `ipvs care -f`. The one place that knows
    the import's and care's flags."""
    care = os.path.join(work, "care.yaml")
    with open(care, "w") as out:
        p = subprocess.run([ipvs, "import", "keepalived", conf_path], stdout=out, stderr=subprocess.PIPE, text=True)
    log.write(("ipvs import keepalived %s: exit %d\n%s\n" % (conf_path, p.returncode, p.stderr)).encode())
    log.flush()
    # Exit 1: the file is written and what did not carry over is listed (email alerts, say); an
    # operator reads the list and runs the file, and so does the differential: the tables tell.
    if p.returncode not in (0, 1):
        raise RunError("ipvs import keepalived %s failed (%d): %s" % (conf_path, p.returncode, p.stderr.strip()))
    return [ipvs, "care", "-f", care, "--mode", ""] + (["--debug"] if os.environ.get("IPVS_KDIFF_DEBUG") else [])


def ipvs_reload(ipvs, conf_path, work, log, proc):
    """B's reload: the edited configuration imported again, the care file replaced atomically
    (`ipvs care -f` follows its file)."""
    care = os.path.join(work, "care.yaml")
    with open(care + ".new", "w") as out:
        p = subprocess.run([ipvs, "import", "keepalived", conf_path], stdout=out, stderr=subprocess.PIPE, text=True)
    log.write(("ipvs import keepalived %s (reload): exit %d\n%s\n" % (conf_path, p.returncode, p.stderr)).encode())
    if p.returncode not in (0, 1):
        raise RunError("ipvs import keepalived %s failed (%d): %s" % (conf_path, p.returncode, p.stderr.strip()))
    os.rename(care + ".new", care)
    # `ipvs care -f` re-reads its file on SIGHUP, as keepalived does.
    proc.send_signal(signal.SIGHUP)


# --- the lab ---------------------------------------------------------------------------------

class Lab:
    def __init__(self, args):
        self.args = args
        self.out = os.path.abspath(args.out)
        self.ipvs = os.path.abspath(args.ipvs)
        self.results = []
        self.lock = threading.Lock()
        self.backends = {}
        self.dns = {}            # addr -> (Popen, options)
        self.slots = []
        self.timings = []
        self.tables = []
        self.quiet_fail = False  # the control's own checks are logged apart: their failures are what it looks for

    # results
    def check(self, config, event, name, ok, detail=""):
        with self.lock:
            self.results.append({"config": config, "event": event, "check": name, "ok": bool(ok), "detail": detail})
        word = ("PASS" if ok else "FAIL") if not self.quiet_fail else ("control-ok" if ok else "control-saw")
        log_line("%s %s / %s: %s%s" % (word, config, event, name, (" - " + detail) if detail else ""))
        return ok

    # set-up
    def build(self, slots):
        for d in (RUN, os.path.join(RUN, "bin"), os.path.join(RUN, "state"), os.path.join(RUN, "notify"),
                  os.path.join(RUN, "side"), os.path.join(self.out, "logs")):
            os.makedirs(d, exist_ok=True)
        for script in ("misc-check", "notify"):
            dest = os.path.join(RUN, "bin", script)
            shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), script), dest)
            os.chmod(dest, 0o755)
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=www.example.test",
             "-keyout", os.path.join(RUN, "tls.key"), "-out", os.path.join(RUN, "tls.crt")])
        import ssl
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(os.path.join(RUN, "tls.crt"), os.path.join(RUN, "tls.key"))

        self.unbuild()
        lines = ["netns add %s" % RS_NS, "link add kbr0 type bridge stp_state 0 mcast_snooping 0", "link set kbr0 up",
                 "link add p-krs type veth peer name eth0 netns %s" % RS_NS, "link set p-krs master kbr0 up"]
        for i in range(slots):
            for side, base in (("A", 10), ("B", 50)):
                ns = "k%s%d" % (side, i)
                lines += ["netns add %s" % ns, "link add p-%s type veth peer name eth0 netns %s" % (ns, ns),
                          "link set p-%s master kbr0 up" % ns]
        batch(lines)
        batch(["link set lo up", "address add %s/24 dev eth0" % RS_LINK, "address add %s/64 dev eth0 nodad" % RS_LINK6,
               "link set eth0 up", "route add local 198.18.0.0/16 dev lo", "route add local 2001:db8:18::/48 dev lo"], ns=RS_NS)
        # IPv6 binds only to an assigned address; the local route above delivers the rest.
        run(["sysctl", "-qw", "net.ipv6.ip_nonlocal_bind=1"], ns=RS_NS)
        for i in range(slots):
            pair = []
            for side, base in (("A", 10), ("B", 50)):
                ns = "k%s%d" % (side, i)
                address = "198.19.255.%d" % (base + i)
                batch(["link set lo up", "address add %s/32 dev lo" % BINDTO, "address add %s/24 dev eth0" % address,
                       "address add 2001:db8:19:ffff::%x/64 dev eth0 nodad" % (base + i),
                       "link set eth0 up", "route add 198.18.0.0/16 via %s" % RS_LINK,
                       "route add 2001:db8:18::/48 via %s" % RS_LINK6,
                       "link add vips type dummy", "link set vips up"], ns=ns)
                run(["iptables-legacy", "-t", "nat", "-A", "POSTROUTING", "-s", BINDTO, "-o", "eth0", "-j", "MASQUERADE"], ns=ns)
                s = Side(self, ns, address)
                s.holder = self.hold(ns)
                pair.append(s)
            self.slots.append(pair)

    def hold(self, ns):
        """A process that sits in namespace NS, so /proc/PID/net/ip_vs reads its table without an exec."""
        pid = os.fork()
        if pid == 0:
            try:
                nslib.enter(ns)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                while True:
                    signal.pause()
            finally:
                os._exit(0)
        return pid

    def teardown(self):
        for pair in self.slots:
            for s in pair:
                try:
                    s.stop()
                except Exception:  # noqa: BLE001 - tear down what we can
                    pass
                if s.holder:
                    os.kill(s.holder, signal.SIGTERM)
                    os.waitpid(s.holder, 0)
        for addr in list(self.dns):
            self.dns_stop(addr)
        for b in self.backends.values():
            b.close()
        self.unbuild()

    def unbuild(self):
        """Deletes the lab's links and namespaces (what a previous run in this boot left too)."""
        names = sorted(n for n in os.listdir("/run/netns") if n == RS_NS or re.fullmatch(r"k[AB]\d+", n)) \
            if os.path.isdir("/run/netns") else []
        lines = ["link del p-%s" % n for n in names if os.path.exists("/sys/class/net/p-%s" % n)]
        lines += ["netns del %s" % n for n in names]
        if os.path.exists("/sys/class/net/kbr0"):
            lines.append("link del kbr0")
        if lines:
            batch(lines, check=False)

    # real servers
    def start_backends(self, config):
        for kind, addr, options in config.backends:
            if kind == "dns":
                self.dns[addr] = (None, options)
                batch(["address add %s dev lo%s" % (host_prefix(addr), " nodad" if ":" in addr else "")], ns=RS_NS)
                self.dns_start(addr, "good")
                continue
            if addr in self.backends:
                raise RunError("%s: backend %s used by two configurations" % (config.path, addr))
            b = backends.Backend(kind, addr, RS_NS, options, self.tls)
            b.start()
            self.backends[addr] = b

    def stop_backends(self, config):
        for kind, addr, _ in config.backends:
            if kind == "dns":
                self.dns_stop(addr)
                self.dns.pop(addr, None)
            elif addr in self.backends:
                self.backends.pop(addr).close()

    def dns_hosts(self, addr, mode):
        """Writes what dnsmasq on ADDR answers: the name with its address, another address, or
        nothing (the name is under --local, so NXDOMAIN)."""
        _, options = self.dns[addr]
        name = options.get("name", "www.example.test")
        answer = {"good": options.get("addr", "198.18.250.1"), "other": options.get("other", "198.18.250.2"),
                  "nxdomain": None}[mode]
        path = os.path.join(RUN, "state", "dns-%s.hosts" % addr)
        with open(path + ".tmp", "w") as f:
            if answer:
                f.write("%s %s\n" % (answer, name))
        os.rename(path + ".tmp", path)
        return path, name

    def dns_start(self, addr, mode):
        proc, options = self.dns[addr]
        hosts, name = self.dns_hosts(addr, mode)
        domain = name.split(".", 1)[1] if "." in name else name
        log = open(os.path.join(self.out, "logs", "dnsmasq-%s.log" % addr), "ab")
        proc = subprocess.Popen(["ip", "netns", "exec", RS_NS, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                                 "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts, "--local=/%s/" % domain,
                                 "--listen-address=" + addr, "--bind-interfaces", "--port=53", "--cache-size=0",
                                 "--user=root", "--group=root", "--pid-file=" + os.path.join(RUN, "dnsmasq-%s.pid" % addr),
                                 "--log-facility=-", "--log-queries"],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self.dns[addr] = (proc, options)
        # Answering once dnsmasq listens: wait for its UDP socket (a few hundred ms in the lab).
        deadline = time.time() + 10
        # /proc/net/udp{,6} print the address as 32-bit words in host (little-endian) order.
        packed = ipaddress.ip_address(addr).packed
        want = "".join("%08X" % int.from_bytes(packed[i:i + 4], "little") for i in range(0, len(packed), 4)) + ":0035"
        table = "udp6" if ":" in addr else "udp"
        while time.time() < deadline:
            try:
                with open("/proc/%d/net/%s" % (proc.pid, table)) as f:
                    if want in f.read():
                        return
            except FileNotFoundError:
                pass
            time.sleep(0.1)
        raise RunError("dnsmasq on %s did not start" % addr)

    def dns_mode(self, addr, mode):
        proc, _ = self.dns[addr]
        if mode == "stop":
            self.dns_stop(addr)
        elif proc is None or proc.poll() is not None:
            self.dns_start(addr, mode)
        else:
            self.dns_hosts(addr, mode)
            proc.send_signal(signal.SIGHUP)  # rereads the hosts file: no moment without a server

    def dns_stop(self, addr):
        proc, options = self.dns.get(addr, (None, None))
        if proc and proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        self.dns[addr] = (None, options)

    # events
    def act(self, config, pair, words):
        verb, rest = words[0], words[1:]
        if verb in ("http", "https", "tcp", "smtp", "udp"):
            self.backends[rest[0]].set_mode(rest[1], rest[2] if len(rest) > 2 else None)
        elif verb == "dns":
            self.dns_mode(rest[0], rest[1])
        elif verb == "file":
            write_state(rest[0], " ".join(rest[1:]))
        elif verb == "drop":
            batch(["route add blackhole %s table local" % host_prefix(rest[0])], ns=RS_NS)
        elif verb == "undrop":
            batch(["route del blackhole %s table local" % host_prefix(rest[0])], ns=RS_NS)
        elif verb == "vip-add":
            for s in pair:
                batch(["address add %s dev vips%s" % (host_prefix(rest[0]), " nodad" if ":" in rest[0] else "")], ns=s.ns)
        elif verb == "vip-del":
            for s in pair:
                batch(["address del %s dev vips" % host_prefix(rest[0])], ns=s.ns)
        elif verb == "ipvsadm":
            for s in pair:
                run(["ipvsadm"] + rest, ns=s.ns)
        elif verb == "edit":
            for s in pair:
                s.edit(rest[0].replace("\\n", "\n"), rest[1].replace("\\n", "\n"))
        elif verb == "reload":
            for s in pair:
                s.reload()
        elif verb == "restart":
            for s in pair:
                s.left = s.restart()
        elif verb == "settle":
            pass
        else:
            raise RunError("%s: unknown action %r" % (config.path, verb))


def write_state(name, content):
    path = os.path.join(RUN, "state", name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(content + "\n")
    os.rename(tmp, path)  # FILE_CHECK's inotify sees one complete write


class Runner:
    """Plays one configuration on one slot (a pair of director namespaces)."""

    def __init__(self, lab, config, pair, b_kind, conf_b_text=None, tag=None):
        self.lab, self.config, self.pair = lab, config, pair
        self.control = conf_b_text is not None  # B runs an altered copy: its expectations do not apply
        self.kinds = ("keepalived", b_kind)
        self.conf_b_text = conf_b_text
        self.tag = tag or config.name
        self.ok = True

    def check(self, event, name, ok, detail=""):
        self.ok &= bool(self.lab.check(self.tag, event, name, ok, detail))
        return ok

    def expectations(self, event, i):
        """What side I must show: the event's common expectations plus those of its implementation."""
        if self.control and i == 1:
            return []
        return event.expect["all"] + event.expect[self.kinds[i]]

    def converge(self, event, t0, baseline):
        """Polls both tables until each meets its expectations and has been stable for STABLE (and
        at least the event's settle time has passed). Returns the tables, the last-change times, the
        notify lines and whether they settled before the timeout."""
        settle = max([float(a[1]) for a in event.actions if a[0] == "settle"] or [0])
        if event is self.config.start:
            # Every first check has run before the first event: a check's first run comes at a
            # random moment within its warmup (delay_loop by default), after the process started
            # (keepalived forks its checker child first). An event before it would meet a check
            # that has not yet run on one side and has on the other.
            settle = max(settle, min(self.config.delay_loop, 12.0) + 2.0)
        last = list(baseline)
        self.history = [[], []]
        changed = [None, None]
        notify = [[], []]
        deadline = t0 + settle + self.config.timeout
        while True:
            now = time.time()
            tables = []
            for i, side in enumerate(self.pair):
                if not side.alive():
                    raise RunError("side %s (%s) exited; log %s" % (side.ns, side.kind, side.log_path))
                table = side.table()
                notify[i] += side.new_notify_lines()
                snap = freeze(table)
                if snap != last[i]:
                    changed[i] = now
                    last[i] = snap
                    self.history[i].append(round(now - t0, 2))
                tables.append(table)
            done = now - t0 >= settle
            for i in range(2):
                quiet_since = changed[i] if changed[i] is not None else t0
                if now - quiet_since < STABLE or unmet(tables[i], self.expectations(event, i), sorted(notify[i])):
                    done = False
            if done:
                # The notify scripts run after the change; give them their moment, then read them.
                time.sleep(0.5)
                for i, side in enumerate(self.pair):
                    notify[i] = sorted(notify[i] + side.new_notify_lines())
                return tables, changed, notify, True
            if now > deadline:
                for i, side in enumerate(self.pair):
                    notify[i] = sorted(notify[i] + side.new_notify_lines())
                return tables, changed, notify, False
            time.sleep(POLL)

    def play(self, event, actions_at=None):
        # The tables before the event: a change already made when the first poll comes counts.
        baseline = [freeze({}) if actions_at is not None else freeze(side.table()) for side in self.pair]
        t0 = time.time()
        for words in event.actions:
            self.lab.act(self.config, self.pair, words)
        if actions_at is not None:
            t0 = actions_at
        tables, changed, notify, settled = self.converge(event, t0, baseline)
        name = event.name
        restarted = any(words[0] == "restart" for words in event.actions)
        for i, side in enumerate(self.pair):
            specs = [] if self.control and i == 1 else event.between["all"] + event.between[self.kinds[i]]
            if restarted and specs:
                bad = unmet(side.left, specs, [])
                self.check(name, "%s (%s) left the table as expected while stopped" % ("AB"[i], self.kinds[i]), not bad,
                           ("unmet: %s; table: %s" % ("; ".join(bad), describe(side.left))) if bad else "")
        self.check(name, "both sides settled (expectations met, table stable %.1fs) in time" % STABLE, settled,
                   "" if settled else "not within %.0fs; changes at A %s, B %s" % (self.config.timeout, self.history[0], self.history[1]))
        for i, side in enumerate(self.pair):
            bad = unmet(tables[i], self.expectations(event, i), notify[i])
            self.check(name, "%s (%s) as expected" % ("AB"[i], self.kinds[i]), not bad,
                       ("unmet: %s; table: %s" % ("; ".join(bad), describe(tables[i]))) if bad else "")
        saved = [side.saved() for side in self.pair]
        with self.lab.lock:
            self.lab.tables.append({"config": self.tag, "event": name, "a": saved[0], "b": saved[1]})
        deliberate = event.differs and self.kinds[1] == "ipvs"
        if deliberate:
            self.check(name, "tables differ as documented (ipvs repairs what keepalived leaves)", saved[0] != saved[1],
                       "A: %s | B: %s" % (saved[0], saved[1]))
        else:
            same = saved[0] == saved[1]
            self.check(name, "ipvsadm -Sn identical", same,
                       "" if same else "only A: %s | only B: %s" % (sorted(set(saved[0]) - set(saved[1])),
                                                                   sorted(set(saved[1]) - set(saved[0]))))
            self.check(name, "notify scripts alike", notify[0] == notify[1],
                       "" if notify[0] == notify[1] else "A: %s | B: %s" % (notify[0], notify[1]))
            times = [None if c is None else c - t0 for c in changed]
            if event.name == "start":
                # At start-up a side's clock starts when its table appears: the process start before
                # it (keepalived forks its checker child; a loaded lab) is not convergence.
                times = [h[-1] - h[0] if h else None for h in self.history]
            tolerance = (event.tolerance or self.config.delay_loop) + SLACK
            if times[0] is None and times[1] is None:
                ok, detail = True, "no change on either side"
            elif None in times:
                ok, detail = False, "A changed after %s, B after %s" % tuple("never" if t is None else "%.2fs" % t for t in times)
            else:
                ok = abs(times[1] - times[0]) <= tolerance
                detail = "A %.2fs, B %.2fs (tolerance %.2fs)" % (times[0], times[1], tolerance)
            detail += "; changes at A %s, B %s" % (self.history[0], self.history[1])
            # A restart is not a convergence: keepalived rebuilds the table it removed, ipvs finds
            # its table in place (what the `between` lines check). No time is compared.
            if not restarted:
                self.check(name, "convergence time within one delay_loop", ok, detail)
            with self.lab.lock:
                self.lab.timings.append({"config": self.tag, "event": name, "a": times[0], "b": times[1]})

    def run(self):
        config, out = self.config, self.lab.out
        for name, content in config.files:
            write_state(name, content)
        self.lab.start_backends(config)
        try:
            conf_a = config.text
            conf_b = config.text if self.conf_b_text is None else self.conf_b_text
            for side in self.pair:
                side.new_notify_lines()
            t0 = time.time()
            self.pair[0].start(self.kinds[0], conf_a, self.tag, config.includes)
            self.pair[1].start(self.kinds[1], conf_b, self.tag, config.includes)
            self.play(config.start, actions_at=t0)
            # A corpus file keepalived only half reads would prove little: its complaints fail it.
            with open(self.pair[0].log_path, errors="replace") as f:
                complaints = [l.strip() for l in f if re.search(r"Unknown keyword|Unexpected|[Ii]nvalid|not supported|ignoring", l)]
            self.check("start", "keepalived read the configuration without complaint", not complaints, "; ".join(complaints[:5]))
            for event in ([] if self.control else config.events):
                self.play(event)
        except RunError as e:
            self.check("run", "the configuration ran to its end", False, str(e))
        except Exception as e:  # noqa: BLE001 - a harness bug fails this config, not the run
            self.check("run", "the configuration ran to its end", False, "%s\n%s" % (e, traceback.format_exc()))
        finally:
            for side in self.pair:
                side.stop()
            self.lab.stop_backends(config)
        return self.ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "tests", "keepalived-corpus"))
    ap.add_argument("--b", choices=["ipvs", "keepalived"], default="ipvs", help="what side B runs (keepalived: the control)")
    ap.add_argument("--ipvs", default=os.path.join(ROOT, "dist", "ipvs"))
    ap.add_argument("--only", default="", help="comma-separated configuration names (default: all)")
    ap.add_argument("--jobs", type=int, default=3, help="configurations run at once (a slot each)")
    ap.add_argument("--control", default="01-http-basic",
                    help="configuration run once more with B = keepalived and one weight altered: the harness must see it")
    ap.add_argument("--no-control", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0 or not os.environ.get("IPVS_LAB"):
        print("kdiff: run me inside the lab, as root: lab/run -t 1200 -- lab/kdiff/run --out DIR", file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    names = sorted(f for f in os.listdir(args.corpus) if f.endswith(".conf"))
    configs = [Config(os.path.join(args.corpus, f)) for f in names]
    if args.only:
        wanted = set(args.only.split(","))
        configs = [c for c in configs if c.name in wanted]
        if not configs:
            print("kdiff: no configuration named %s" % args.only, file=sys.stderr)
            return 1
    lab = Lab(args)
    started = time.time()
    work = queue.Queue()
    for c in configs:
        work.put(c)
    control_result = {}
    control = None
    if not args.no_control:
        control = next((c for c in configs if c.name == args.control), None) or Config(os.path.join(args.corpus, args.control + ".conf"))
    slots = max(1, min(args.jobs, len(configs)))
    status = 1
    durations = {}
    try:
        lab.build(slots)
        log_line("lab built: %d slot(s), B = %s, %d configuration(s)" % (slots, args.b, len(configs)))

        def worker(pair):
            while True:
                try:
                    config = work.get_nowait()
                except queue.Empty:
                    return
                t = time.time()
                Runner(lab, config, pair, args.b).run()
                durations[config.name] = round(time.time() - t, 1)

        threads = [threading.Thread(target=worker, args=(pair,)) for pair in lab.slots]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if control is not None:
            # The control: keepalived on both sides, B's configuration with one weight changed. The
            # harness must report the difference; the checks of this run are kept apart.
            t = time.time()
            sub = Lab.__new__(Lab)
            sub.__dict__ = dict(lab.__dict__)
            sub.results, sub.timings, sub.tables, sub.lock, sub.quiet_fail = [], [], [], threading.Lock(), True
            Runner(sub, control, lab.slots[0], "keepalived", conf_b_text=control.altered(), tag="control-" + control.name).run()
            caught = [x for x in sub.results if not x["ok"] and x["check"] == "ipvsadm -Sn identical"]
            control_result["results"] = sub.results
            lab.check("control-" + control.name, "B's weight altered", "the harness reports the difference", bool(caught),
                      caught[0]["detail"] if caught else "no difference reported")
            durations["control-" + control.name] = round(time.time() - t, 1)
        status = 0 if all(r["ok"] for r in lab.results) else 3
    except RunError as e:
        log_line("RUN FAILED: %s" % e)
        lab.check("lab", "set-up", "the lab was built", False, str(e))
        status = 1
    finally:
        lab.teardown()
        elapsed = time.time() - started
        passed = sum(1 for r in lab.results if r["ok"])
        failed = len(lab.results) - passed
        with open(os.path.join(args.out, "result.json"), "w") as f:
            json.dump({"b": args.b, "elapsed": elapsed, "results": lab.results, "timings": lab.timings,
                       "control": control_result, "durations": durations,
                       "tables": lab.tables}, f, indent=1)
        with open(os.path.join(args.out, "summary.txt"), "w") as f:
            f.write("%d %d %d\n" % (passed, failed, passed + failed))
        log_line("kdiff: %d passed, %d failed of %d checks, %d configuration(s), B = %s, %.0f s"
                 % (passed, failed, passed + failed, len(configs), args.b, elapsed))
    return status


if __name__ == "__main__":
    sys.exit(main())
