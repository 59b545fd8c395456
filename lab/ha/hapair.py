#!/usr/bin/env python3
"""The HA pair scenario driver: two LVS-DR directors (keepalived for VRRP, `ipvs care --ha-node`
for everything else), two echo real servers and a client, in one lab boot, taken through
failures while streams and short connections run through the virtual address.

Run it inside the lab guest, as root, through lab/ha/run (which picks the real python3):

    lab/run -m 1G -t 1200 -- lab/ha/run --out /tmp/ha [--scenario link,kill,stop,health,nosync]
        [--advert 1s] [--preempt-delay 10s] [--repeat N] [--fast 20] [--slow 5]

Scenarios (each one: failover then failback, with fresh streams on both sides of each):
  link    lb1's switch port goes down (ip link set p-lb1 down), then up
  kill    lb1's keepalived (parent and VRRP child) and ipvs are killed (SIGSTOP, then SIGKILL),
          then both are started again
  stop    lb1's keepalived and ipvs get SIGTERM, then both are started again
  health  lb1 loses its routes to both real servers (blackhole routes): its ipvs sees every real
          server fail and lowers lb1's VRRP priority, lb2 takes over; then the routes come back
  nosync  the control: the pair rebuilt with `sync: {enabled: false}`, then as `link`; the
          streams established before the failover must be reset

Writes DIR/result.json (everything measured), DIR/ha.log (what happened, in words), and the
logs of each keepalived and ipvs process. Exit status: 0 when every expectation held, 3 when the
run finished but some did not (see "checks" in result.json), 1 when the run itself failed.
"""
import argparse
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nslib  # noqa: E402
import traffic  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIP = "198.18.0.100"
PORT = 9000
NODES = [("lb1", "198.18.0.11", 150), ("lb2", "198.18.0.12", 100)]
SERVERS = [("rs1", "198.18.0.21"), ("rs2", "198.18.0.22")]
CLIENT = ("client", "198.18.0.10")
INSTANCE = "VI_1"
ROUTER_ID = 51
SCENARIOS = ["link", "kill", "stop", "health", "nosync"]


class RunError(Exception):
    """The run cannot go on (a command failed, a wait timed out)."""


def seconds(text):
    m = re.fullmatch(r"\s*([0-9.]+)\s*(ms|s|m)?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError("not a duration: " + text)
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[m.group(2)]


def duration(value):
    return ("%dms" % round(value * 1000)) if value < 1 or value != int(value) else ("%ds" % value)


class LineReader:
    """Complete lines from a non-blocking pipe."""

    def __init__(self, fd):
        self.fd = fd
        os.set_blocking(fd, False)
        self.buf = b""

    def read(self):
        lines = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            lines.append(line.decode())
        return lines


def fork_child(fn, *args):
    """Forks FN(*ARGS) into a child (no exec: Python starts slowly in the lab); returns its pid."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            fn(*args)
        except SystemExit as e:
            code = e.code or 0
        except BaseException:  # noqa: BLE001 - the child reports and exits, whatever happened
            import traceback
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    return pid


def proc_state(pid):
    """The state letter of a process (None when it is gone; a zombie counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None if state in ("Z", "X") else state


def children_of(pid):
    """Processes whose parent is PID (a scan of /proc: no exec)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(entry))
    return found


class Director:
    """One director: its namespace, keepalived and the ipvs daemon (each restart logs to a new file)."""

    def __init__(self, lab, name, address, priority):
        self.lab, self.name, self.ns, self.address, self.priority = lab, name, name, address, priority
        self.keepalived = None
        self.ipvs = None
        self.starts = 0
        self.logs = []  # (kind, path)

    def _log(self, kind):
        path = os.path.join(self.lab.out, "%s-%s-%d.log" % (self.name, kind, self.starts))
        self.logs.append((kind, path))
        return open(path, "wb")

    def start_ipvs(self):
        self.starts += 1
        with self._log("ipvs") as log:
            self.ipvs = subprocess.Popen(["ip", "netns", "exec", self.ns, self.lab.ipvs, "care", "-f", self.lab.config_path,
                                          "--ha-node", self.name], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return time.time()

    def start_keepalived(self):
        run = os.path.join(self.lab.out, "run")
        os.makedirs(run, exist_ok=True)
        pids = [os.path.join(run, "%s-%s.pid" % (self.name, kind)) for kind in ("keepalived", "vrrp", "checkers")]
        for p in pids:
            if os.path.exists(p):
                os.unlink(p)
        with self._log("keepalived") as log:
            self.keepalived = subprocess.Popen(
                ["ip", "netns", "exec", self.ns, self.lab.keepalived, "-n", "-l", "-D", "-G", "-f", self.conf,
                 "-p", pids[0], "-r", pids[1], "-c", pids[2]], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return time.time()

    @property
    def conf(self):
        return os.path.join(self.lab.out, "keepalived-%s.conf" % self.name)

    def processes(self):
        """keepalived's parent and its children (the VRRP process), and the ipvs daemon, those alive."""
        pids = []
        if self.keepalived and proc_state(self.keepalived.pid):
            pids.append(self.keepalived.pid)
            pids.extend(children_of(self.keepalived.pid))
        if self.ipvs and proc_state(self.ipvs.pid):
            pids.append(self.ipvs.pid)
        return pids

    def kill9(self):
        """Stops every process first (so keepalived's parent cannot start a new VRRP child), then kills them."""
        pids = self.processes()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        at = time.time()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self.reap(pids, 10)
        return at, pids

    def terminate(self, timeout=20):
        """SIGTERM to keepalived and ipvs, as a service manager stops them; waits for both to exit."""
        pids = self.processes()
        targets = [p.pid for p in (self.keepalived, self.ipvs) if p and proc_state(p.pid)]
        at = time.time()
        for pid in targets:
            os.kill(pid, signal.SIGTERM)
        left = self.reap(pids, timeout)
        return at, targets, left

    def reap(self, pids, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for p in (self.keepalived, self.ipvs):
                if p:
                    p.poll()
            alive = [pid for pid in pids if proc_state(pid)]
            if not alive:
                return []
            self.lab.pump(0.05)
        return [pid for pid in pids if proc_state(pid)]

    def exit_codes(self):
        return {"keepalived": self.keepalived and self.keepalived.poll(), "ipvs": self.ipvs and self.ipvs.poll()}


class Lab:
    def __init__(self, args):
        self.args = args
        self.out = os.path.abspath(args.out)
        os.makedirs(self.out, exist_ok=True)
        self.ipvs = os.path.abspath(args.ipvs)
        self.keepalived = args.keepalived
        self.logfile = open(os.path.join(self.out, "ha.log"), "w", buffering=1)
        self.t0 = time.time()
        self.events = []  # monitor events
        self.addrs = {}  # ns -> set of IPv4 addresses
        self.links = {}  # (ns, dev) -> dict
        self.monitor = None
        self.monitor_reader = None
        self.engine = None
        self.engine_in = None
        self.engine_reader = None
        self.engine_replies = []
        self.echo = {}
        self.directors = [Director(self, *n) for n in NODES]
        self.lb1, self.lb2 = self.directors
        self.sync = None
        self.config_path = os.path.join(self.out, "ha.yaml")
        self.checks = []
        self.result = {"options": {k: v for k, v in vars(args).items()}, "vip": VIP, "scenarios": []}
        self.quiet = args.quiet
        self.log_hook = None  # given each narration line instead of printing it (the demonstration)
        self.phase_hook = None  # called at each phase of a scenario (the demonstration)
        self.ticker = None  # called with the client's counters every tick_interval (the demonstration)
        self.tick_interval = 1.0
        self.next_tick = 0.0
        self.tick_pending = False
        self.tearing_down = False

    # --- output ---------------------------------------------------------------------------
    def log(self, text):
        line = "%s +%7.2fs  %s" % (time.strftime("%H:%M:%S", time.localtime()), time.time() - self.t0, text)
        self.logfile.write(line + "\n")
        if self.log_hook:
            self.log_hook(text)
        elif not self.quiet:
            print(line, flush=True)

    def check(self, scenario, name, ok, detail=""):
        self.checks.append({"scenario": scenario, "check": name, "ok": bool(ok), "detail": detail})
        self.log("%s %s: %s%s" % ("ok  " if ok else "FAIL", scenario, name, (" (%s)" % detail) if detail else ""))

    # --- commands --------------------------------------------------------------------------
    def run(self, argv, ns=None, check=True, stdin=None, timeout=120):
        if ns:
            argv = ["ip", "netns", "exec", ns] + argv
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RunError("%s: exit %d\n%s%s" % (" ".join(argv), p.returncode, p.stdout, p.stderr))
        return p

    def batch(self, lines, ns=None, check=True):
        """Several ip commands in one exec (ip -batch)."""
        argv = ["ip"] + (["-n", ns] if ns else []) + ["-batch", "-"]
        p = subprocess.run(argv, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise RunError("ip -batch%s failed: %s%s\n%s" % (" -n " + ns if ns else "", p.stdout, p.stderr, "\n".join(lines)))
        return p

    # --- the event pump ---------------------------------------------------------------------
    def pump(self, timeout):
        """Reads what the monitor and the client reported, waiting at most TIMEOUT seconds."""
        fds = [r.fd for r in (self.monitor_reader, self.engine_reader) if r]
        if not fds:
            time.sleep(timeout)
            return
        ready, _, _ = select.select(fds, [], [], max(0.0, timeout))
        if self.monitor_reader and self.monitor_reader.fd in ready:
            for line in self.monitor_reader.read():
                self.on_monitor(json.loads(line))
        if self.engine_reader and self.engine_reader.fd in ready:
            for line in self.engine_reader.read():
                reply = json.loads(line)
                if reply.get("tag") == "tick":
                    self.tick_pending = False
                    if self.ticker:
                        self.ticker(reply)
                else:
                    self.engine_replies.append(reply)
        if self.ticker and self.engine_in is not None and not self.tick_pending and time.time() >= self.next_tick:
            self.tick_pending = True
            self.next_tick = max(self.next_tick + self.tick_interval, time.time() + self.tick_interval / 2)
            os.write(self.engine_in, b'{"op": "stats", "tag": "tick"}\n')

    def on_monitor(self, e):
        self.events.append(e)
        ns = e["ns"]
        if e["ev"] in ("addr+", "addr-"):
            s = self.addrs.setdefault(ns, set())
            (s.add if e["ev"] == "addr+" else s.discard)(e["addr"])
            if e["addr"] == VIP and not self.tearing_down:
                self.log("%s: %s the virtual address %s (%s)" % (ns, "now holds" if e["ev"] == "addr+" else "dropped", VIP, e["dev"]))
        elif e["ev"] in ("link+", "link-"):
            key = (ns, e["dev"])
            old = self.links.get(key)
            self.links[key] = e
            if ns == "" and e["dev"].startswith("p-") and old and (old["up"], old["lower_up"]) != (e["up"], e["lower_up"]):
                self.log("switch port %s is %s" % (e["dev"], "up" if e["up"] else "down"))
        elif e["ev"] == "overrun":
            self.log("monitor: %s lost events (%s)" % (ns or "root", e["error"]))

    def wait_until(self, predicate, timeout, what):
        deadline = time.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.time() > deadline:
                raise RunError("gave up after %.0f s waiting for %s" % (timeout, what))
            self.pump(0.05)

    def sleep(self, duration_s):
        deadline = time.time() + duration_s
        while time.time() < deadline:
            self.pump(min(0.1, max(0.0, deadline - time.time())))

    def holders(self):
        return sorted(ns for ns, a in self.addrs.items() if VIP in a and ns in ("lb1", "lb2"))

    def first_event(self, after, **match):
        for e in self.events:
            if e["t"] >= after and all(e.get(k) == v for k, v in match.items()):
                return e
        return None

    # --- the client --------------------------------------------------------------------------
    def engine_call(self, command, reply_op, timeout=60, group=None):
        os.write(self.engine_in, (json.dumps(command) + "\n").encode())

        def found():
            for r in self.engine_replies:
                if r.get("op") == reply_op and (group is None or r.get("group") == group):
                    self.engine_replies.remove(r)
                    return r
            return None
        return self.wait_until(found, timeout, "the client's answer to " + command["op"])

    def open_streams(self, group, fast, slow):
        reply = self.engine_call({"op": "open", "group": group, "fast": fast, "slow": slow}, "opened", 60, group)
        streams = reply["streams"]
        bad = [s for s in streams if s["state"] != "open"]
        served = {}
        for s in streams:
            served[s["served_by"]] = served.get(s["served_by"], 0) + 1
        self.log("opened %d streams (%d fast, %d slow) through %s held by %s; served by %s%s" % (
            len(streams) - len(bad), fast, slow, VIP, "+".join(self.holders()) or "nobody",
            ", ".join("%s x%d" % kv for kv in sorted(served.items(), key=lambda kv: str(kv[0]))),
            ("; %d did not open: %s" % (len(bad), bad[0]["reason"])) if bad else ""))
        return streams

    def close_streams(self, group, drain=15):
        return self.engine_call({"op": "close", "group": group, "drain": drain}, "closed", drain + 30, group)["streams"]

    def stats(self):
        return self.engine_call({"op": "stats"}, "stats", 30)

    # --- topology ----------------------------------------------------------------------------
    def cleanup_network(self):
        """Removes what a previous run may have left: processes in our namespaces, veths, namespaces, the bridge."""
        names = [n[0] for n in NODES] + [s[0] for s in SERVERS] + [CLIENT[0]]
        existing = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()
        for ns in names:
            if ns in existing:
                self.kill_namespace_processes(ns)
        lines = ["link del p-%s" % n for n in names if os.path.exists("/sys/class/net/p-" + n)]
        if os.path.exists("/sys/class/net/br0"):
            lines.append("link del br0")
        lines += ["netns del %s" % ns for ns in names if ns in existing]
        if lines:
            self.batch(lines, check=False)

    def kill_namespace_processes(self, ns):
        p = self.run(["ip", "netns", "pids", ns], check=False)
        pids = [int(x) for x in p.stdout.split() if x.isdigit() and int(x) != os.getpid()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return pids

    def build_hosts(self):
        """client, rs1, rs2 and the bridge: built once per run."""
        lines = ["link add br0 type bridge stp_state 0 mcast_snooping 0", "link set br0 up"]
        for name, _ in SERVERS + [CLIENT]:
            lines += ["netns add " + name, "link add p-%s type veth peer name eth0 netns %s" % (name, name),
                      "link set p-%s master br0 up" % name]
        self.batch(lines)
        for name, address in SERVERS + [CLIENT]:
            extra = ["address add %s/32 dev lo" % VIP] if name.startswith("rs") else []
            self.batch(["link set lo up", "address add %s/24 dev eth0" % address, "link set eth0 up"] + extra, ns=name)
            if name.startswith("rs"):  # LVS-DR real server: the VIP on lo, never announced nor answered for by ARP
                nslib.sysctl(name, {"net.ipv4.conf.all.arp_ignore": 1, "net.ipv4.conf.all.arp_announce": 2,
                                    "net.ipv4.conf.eth0.arp_ignore": 1, "net.ipv4.conf.eth0.arp_announce": 2})

    def build_directors(self):
        lines = []
        for d in self.directors:
            lines += ["netns add " + d.ns, "link add p-%s type veth peer name eth0 netns %s" % (d.name, d.ns),
                      "link set p-%s master br0 up" % d.name]
        self.batch(lines)
        for d in self.directors:
            self.batch(["link set lo up", "address add %s/24 dev eth0" % d.address, "link set eth0 up"], ns=d.ns)

    def destroy_directors(self):
        for d in self.directors:
            left = d.terminate(timeout=10)[2] if d.processes() else []
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            self.kill_namespace_processes(d.ns)
        self.stop_monitor()
        self.batch(["link del p-%s" % d.name for d in self.directors] + ["netns del %s" % d.ns for d in self.directors], check=False)

    def start_monitor(self):
        r, w = os.pipe()
        self.monitor = fork_child(lambda: (os.close(r), nslib.monitor_main(["", "lb1", "lb2", "client"], w)))
        os.close(w)
        self.monitor_reader = LineReader(r)
        self.addrs = {}
        ready = set()

        def all_ready():
            for e in self.events:
                if e["ev"] == "ready":
                    ready.add(e["ns"])
            return len(ready) == 4
        self.wait_until(all_ready, 60, "the address monitor")

    def stop_monitor(self):
        if self.monitor:
            os.kill(self.monitor, signal.SIGKILL)
            os.waitpid(self.monitor, 0)
            os.close(self.monitor_reader.fd)
            self.monitor, self.monitor_reader = None, None

    def start_traffic(self):
        for name, _ in SERVERS:
            r, w = os.pipe()
            pid = fork_child(lambda n=name, r=r, w=w: (os.close(r), traffic.echo_main(n, n, PORT, w)))
            os.close(w)
            self.echo[name] = pid
            if not os.read(r, 16).startswith(b"ready"):
                raise RunError("the echo server in %s did not start" % name)
            os.close(r)
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()
        a = self.args
        self.engine = fork_child(lambda: (os.close(cmd_w), os.close(out_r),
                                          traffic.client_main(CLIENT[0], (VIP, PORT), cmd_r, out_w, a.probe_interval, a.probe_timeout)))
        os.close(cmd_r)
        os.close(out_w)
        self.engine_in = cmd_w
        self.engine_reader = LineReader(out_r)
        self.wait_until(lambda: any(r.get("op") == "ready" for r in self.engine_replies), 60, "the client")
        self.engine_replies = [r for r in self.engine_replies if r.get("op") != "ready"]

    # --- the pair ---------------------------------------------------------------------------
    def config_text(self, sync):
        a = self.args
        lines = [
            "services:",
            "  - service: tcp/%s:%d" % (VIP, PORT),
            "    scheduler: rr",
            "    servers:",
        ] + ["      - {server: %s:%d, forward: route}" % (addr, PORT) for _, addr in SERVERS] + [
            "    health: {type: tcp, interval: 1s, timeout: 500ms, fall: 2, rise: 2}",
            "ha:",
            "  instance: " + INSTANCE,
            "  interface: eth0",
            "  router-id: %d" % ROUTER_ID,
            "  advert-interval: " + duration(a.advert),
        ]
        if a.preempt_delay is not None:
            lines.append("  preempt-delay: " + duration(a.preempt_delay))
        if a.rejoin_delay is not None:
            lines.append("  rejoin-delay: " + duration(a.rejoin_delay))
        lines.append("  nodes:")
        lines += ["    - {name: %s, address: %s, priority: %d}" % (d.name, d.address, d.priority) for d in self.directors]
        lines.append("  sync: {enabled: %s}" % ("true" if sync else "false"))
        return "\n".join(lines) + "\n"

    @staticmethod
    def expected_table():
        svc = "-A -t %s:%d -s rr" % (VIP, PORT)
        return sorted([svc] + ["-a -t %s:%d -r %s:%d -g -w 1" % (VIP, PORT, addr, PORT) for _, addr in SERVERS])

    def start_pair(self, sync):
        """Writes the file, asks ipvs for each node's keepalived.conf, starts ipvs and keepalived on
        lb1 (until it holds the VIP), then on lb2."""
        self.sync = sync
        with open(self.config_path, "w") as f:
            f.write(self.config_text(sync))
        self.log("the pair's file (%s), sync %s:\n    %s" % (self.config_path, "on" if sync else "OFF",
                                                            self.config_text(sync).rstrip().replace("\n", "\n    ")))
        run_dir = "/run/ipvs"
        for d in self.directors:
            for suffix in ("role", "track"):
                path = os.path.join(run_dir, "ha-%s-%s.%s" % (INSTANCE, d.name, suffix))
                if os.path.exists(path):
                    os.unlink(path)
            p = self.run([self.ipvs, "ha", "keepalived-config", "-f", self.config_path, "--node", d.name], check=False)
            if p.returncode != 0 or "vrrp_instance" not in p.stdout:
                raise RunError("ipvs ha keepalived-config -f %s --node %s: exit %d\n%s%s" % (
                    self.config_path, d.name, p.returncode, p.stdout, p.stderr))
            with open(d.conf, "w") as f:
                f.write(p.stdout)
        self.result["config_" + ("sync" if sync else "nosync")] = self.config_text(sync)
        with open(self.lb1.conf) as f:
            self.result["keepalived_conf_" + ("sync" if sync else "nosync")] = f.read()
        for d in self.directors:
            d.start_ipvs()
            self.wait_table(d, 60)
            d.start_keepalived()
            if d is self.lb1:
                self.wait_until(lambda: "lb1" in self.holders(), 60, "lb1 to take the virtual address")
        self.wait_until(lambda: self.role(self.lb2) == "BACKUP", 60, "lb2's role file to say BACKUP")
        self.log("the pair is up: lb1 holds %s, lb2 is its backup" % VIP)

    def role(self, d):
        """The role ipvs ha notify wrote for D (keepalived's view of its state), read from the role file."""
        path = "/run/ipvs/ha-%s-%s.role" % (INSTANCE, d.name)
        try:
            with open(path) as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        m = re.search(r"\b(MASTER|BACKUP|FAULT|STOP)\b", text)
        return m.group(1) if m else text

    def track(self, d):
        try:
            with open("/run/ipvs/ha-%s-%s.track" % (INSTANCE, d.name)) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    def proc_table(self, d):
        """/proc/PID/net/ip_vs of the director's ipvs process (no exec): the number of service and server lines."""
        pid = d.ipvs.pid if d.ipvs and proc_state(d.ipvs.pid) else None
        if not pid:
            return None
        try:
            with open("/proc/%d/net/ip_vs" % pid) as f:
                lines = f.read().splitlines()[3:]
        except OSError:
            return None
        return lines

    def wait_table(self, d, timeout):
        want = 1 + len(SERVERS)

        def ready():
            lines = self.proc_table(d)
            if d.ipvs.poll() is not None:
                raise RunError("ipvs care on %s exited (%s); its log:\n%s" % (d.name, d.ipvs.returncode, self.tail(d.logs[-1][1])))
            return lines is not None and len(lines) >= want
        self.wait_until(ready, timeout, "%s's ipvs to load the table" % d.name)

    @staticmethod
    def tail(path, n=30):
        try:
            with open(path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError as e:
            return str(e)

    def tables(self, step, scenario, wait=15.0):
        """Both directors' ipvsadm -Sn, compared with each other and with the file; retried until they
        agree or WAIT seconds passed."""
        deadline = time.time() + wait
        start = time.time()
        while True:
            got = {}
            for d in self.directors:
                p = self.run(["ipvsadm", "-Sn"], ns=d.ns, check=False)
                got[d.name] = sorted(l for l in p.stdout.splitlines() if l.strip()) if p.returncode == 0 else ["error: " + p.stderr.strip()]
            equal = got["lb1"] == got["lb2"]
            match = all(v == self.expected_table() for v in got.values())
            if (equal and match) or time.time() > deadline:
                break
            self.sleep(1.0)
        entry = {"step": step, "t": time.time(), "equal": equal, "match_file": match, "waited": round(time.time() - start, 2),
                 "lb1": got["lb1"], "lb2": got["lb2"]}
        self.check(scenario, "tables identical and as in the file (%s)" % step, equal and match,
                   "" if equal and match else "lb1=%s lb2=%s file=%s" % (got["lb1"], got["lb2"], self.expected_table()))
        return entry

    def forwarded(self):
        """Each director's IPVS totals (connections, incoming packets) from its /proc/net/ip_vs_stats,
        read from inside its namespace (no exec): which director forwarded the traffic."""
        out = {}
        for d in self.directors:
            try:
                with nslib.inside(d.ns):
                    with open("/proc/self/net/ip_vs_stats") as f:
                        fields = f.read().splitlines()[2].split()
                out[d.name] = {"conns": int(fields[0], 16), "packets": int(fields[1], 16)}
            except (OSError, IndexError, ValueError) as e:
                out[d.name] = {"error": str(e)}
        out["t"] = time.time()
        return out

    def status(self):
        out = {}
        for d in self.directors:
            p = self.run([self.ipvs, "ha", "status", "-f", self.config_path, "--node", d.name, "-o", "json"], ns=d.ns, check=False)
            try:
                out[d.name] = json.loads(p.stdout)
            except ValueError:
                out[d.name] = {"exit": p.returncode, "stdout": p.stdout, "stderr": p.stderr}
        return out

    def daemons(self, d):
        p = self.run(["ipvsadm", "-L", "--daemon"], ns=d.ns, check=False)
        return p.stdout.strip().splitlines()

    # --- scenarios ---------------------------------------------------------------------------
    def scenario(self, kind, index):
        a = self.args
        name = kind if a.repeat == 1 else "%s#%d" % (kind, index)
        sync = kind != "nosync"
        if self.sync != sync:
            if self.sync is not None:
                self.log("rebuilding the pair with sync %s" % ("on" if sync else "off"))
                self.destroy_directors()
                self.build_directors()
                self.start_monitor()
            self.start_pair(sync)
        s = {"name": name, "kind": kind, "sync": sync, "steps": [], "started": time.time()}
        self.result["scenarios"].append(s)
        self.log("=== scenario %s: %s" % (name, {
            "link": "lb1's link goes down, then comes back",
            "kill": "lb1's keepalived and ipvs are killed (kill -9), then restarted",
            "stop": "lb1's keepalived and ipvs are stopped (SIGTERM), then restarted",
            "health": "lb1 loses its routes to every real server, then they come back",
            "nosync": "CONTROL: no connection sync; lb1's link goes down, then comes back"}[kind]))
        self.wait_until(lambda: self.holders() == ["lb1"], 60, "lb1 alone to hold the VIP")
        self.phase("start")
        self.checkpoint(s, "before")

        half_fast, half_slow = (a.fast + 1) // 2, (a.slow + 1) // 2
        self.phase("streams")
        before = self.open_streams(name + "/before", half_fast, half_slow)
        self.sleep(a.warmup)

        # --- failover
        forwarded = self.forwarded()
        self.phase("fail")
        fail = self.fail(kind, s)
        fail["forwarded"] = forwarded
        t_event = fail["t"]
        vip = self.wait_until(lambda: self.first_event(t_event, ns="lb2", ev="addr+", addr=VIP), a.failover_timeout,
                              "lb2 to take the virtual address")
        old = self.first_event(t_event, ns="lb1", ev="addr-", addr=VIP)
        s["failover"] = {"event": fail, "t_event": t_event, "t_vip": vip["t"], "seconds": round(vip["t"] - t_event, 3),
                         "old_dropped": round(old["t"] - t_event, 3) if old else None}
        if "detected" in fail:
            s["failover"]["after_detection"] = round(vip["t"] - fail["detected"], 3)
        self.log("failover: lb2 holds %s %.2f s after the event%s" % (VIP, vip["t"] - t_event,
                 "" if not old else "; lb1 dropped it after %.2f s" % (old["t"] - t_event)))
        self.sleep(max(0.0, max(vip["t"] + a.settle, t_event + a.settle + 3) - time.time()))
        self.checkpoint(s, "failover", since=forwarded)
        self.phase("during")
        during = self.open_streams(name + "/during", a.fast - half_fast, a.slow - half_slow)
        self.sleep(a.warmup)

        # --- failback
        forwarded = self.forwarded()
        self.phase("recover")
        back = self.recover(kind, s)
        back["forwarded"] = forwarded
        t_back = back["t"]
        vip1 = self.wait_until(lambda: self.first_event(t_back, ns="lb1", ev="addr+", addr=VIP) if self.holders() == ["lb1"] else None,
                               a.failback_timeout, "lb1 to take the virtual address back (and lb2 to drop it)")
        dropped = self.first_event(t_back, ns="lb2", ev="addr-", addr=VIP)
        s["failback"] = {"event": back, "t_event": t_back, "t_vip": vip1["t"], "seconds": round(vip1["t"] - t_back, 3),
                         "lb2_dropped": round(dropped["t"] - t_back, 3) if dropped else None}
        self.log("failback: lb1 holds %s again %.2f s after the event" % (VIP, vip1["t"] - t_back))
        self.sleep(max(0.0, vip1["t"] + a.settle - time.time()))
        self.checkpoint(s, "failback", since=forwarded)
        self.phase("summary")

        # --- streams and connections
        results = self.close_streams(name + "/before") + self.close_streams(name + "/during")
        s["streams"] = results
        s["finished"] = time.time()
        self.judge(s, before, during)

    def phase(self, name):
        if self.phase_hook:
            self.phase_hook(name)

    def checkpoint(self, s, step, since=None):
        """After a step has settled: both tables against each other and the file, each node's status,
        who holds the VIP, and which director forwarded packets since SINCE (a forwarded() reading)."""
        entry = {"step": step, "t": time.time(), "holders": self.holders(),
                 "roles": {d.name: self.role(d) for d in self.directors}, "track": {d.name: self.track(d) for d in self.directors}}
        # The kernel updates /proc/net/ip_vs_stats from its estimator, every 2 s: a window of 2.5 s
        # holds at least one update, so a director that forwards shows a difference.
        first = self.forwarded()
        entry["table"] = self.tables(step, s["name"])
        entry["status"] = self.status()
        self.sleep(max(0.0, first["t"] + 2.5 - time.time()))
        entry["forwarded"] = self.forwarded()
        entry["forwarding_now"] = {d.name: entry["forwarded"][d.name].get("packets", 0) - first[d.name].get("packets", 0)
                                   for d in self.directors}
        if since:
            entry["forwarded_since"] = {d.name: entry["forwarded"][d.name].get("packets", 0) - since[d.name].get("packets", 0)
                                        for d in self.directors}
            self.log("%s: %s hold(s) the VIP; packets forwarded since the event: lb1 %d, lb2 %d; in the last 2.5 s: lb1 %d, lb2 %d" % (
                step, "+".join(entry["holders"]) or "nobody", entry["forwarded_since"]["lb1"], entry["forwarded_since"]["lb2"],
                entry["forwarding_now"]["lb1"], entry["forwarding_now"]["lb2"]))
        s["steps"].append(entry)
        return entry

    def fail(self, kind, s):
        d = self.lb1
        if kind in ("link", "nosync"):
            start = time.time()
            self.run(["ip", "link", "set", "p-lb1", "down"])
            e = self.wait_until(lambda: self.first_event(start, ns="", dev="p-lb1", up=False), 10, "the port to go down")
            return {"what": "ip link set p-lb1 down", "t": e["t"]}
        if kind == "kill":
            at, pids = d.kill9()
            self.log("killed lb1's keepalived and ipvs (SIGSTOP, then SIGKILL): pids %s" % pids)
            return {"what": "kill -9 keepalived (parent and VRRP child) and ipvs", "t": at, "pids": pids}
        if kind == "stop":
            at, pids, left = d.terminate()
            self.log("stopped lb1's keepalived and ipvs (SIGTERM): pids %s, exit codes %s%s" % (
                pids, d.exit_codes(), "; still alive: %s" % left if left else ""))
            self.check(s["name"], "keepalived and ipvs exit on SIGTERM", not left, "still alive: %s" % left if left else "")
            return {"what": "SIGTERM keepalived and ipvs", "t": at, "pids": pids, "exit": d.exit_codes()}
        if kind == "health":
            before = self.track(d)
            start = time.time()
            self.batch(["route add blackhole %s/32" % addr for _, addr in SERVERS], ns="lb1")
            e = self.wait_until(lambda: self.first_event(start, ns="lb1", ev="route+", type="blackhole"), 10, "the blackhole routes")
            self.log("lb1 lost its routes to %s (blackhole)" % ", ".join(a for _, a in SERVERS))
            changed = self.wait_until(lambda: (time.time(), self.track(d)) if self.track(d) != before else None,
                                      self.args.failover_timeout, "lb1's ipvs to write a lower priority in its track file")
            self.log("lb1's ipvs saw every real server fail: track file %r -> %r after %.2f s" % (before, changed[1], changed[0] - e["t"]))
            return {"what": "blackhole routes to both real servers on lb1", "t": e["t"], "detected": changed[0],
                    "track_before": before, "track_after": changed[1]}
        raise ValueError(kind)

    def recover(self, kind, s):
        d = self.lb1
        if kind in ("link", "nosync"):
            start = time.time()
            self.run(["ip", "link", "set", "p-lb1", "up"])
            e = self.wait_until(lambda: self.first_event(start, ns="", dev="p-lb1", up=True), 10, "the port to come up")
            return {"what": "ip link set p-lb1 up", "t": e["t"]}
        if kind in ("kill", "stop"):
            t = d.start_ipvs()
            self.wait_table(d, 60)
            d.start_keepalived()
            self.log("restarted lb1's ipvs and keepalived")
            return {"what": "start ipvs, then keepalived", "t": t}
        if kind == "health":
            before = self.track(d)
            start = time.time()
            self.batch(["route del blackhole %s/32" % addr for _, addr in SERVERS], ns="lb1")
            e = self.wait_until(lambda: self.first_event(start, ns="lb1", ev="route-", type="blackhole"), 10, "the routes to return")
            changed = self.wait_until(lambda: (time.time(), self.track(d)) if self.track(d) != before else None,
                                      self.args.failback_timeout, "lb1's ipvs to restore its priority in its track file")
            self.log("lb1's routes are back; its ipvs restored its priority: track %r -> %r after %.2f s" % (
                before, changed[1], changed[0] - e["t"]))
            return {"what": "delete the blackhole routes", "t": e["t"], "restored": changed[0], "track_after": changed[1]}
        raise ValueError(kind)

    # --- verdicts ----------------------------------------------------------------------------
    def judge(self, s, before, during):
        name, a = s["name"], self.args
        streams = s["streams"]
        summary = {}
        for group in ("before", "during"):
            members = [x for x in streams if x["group"].endswith("/" + group)]
            summary[group] = {
                "streams": len(members),
                "survived": sum(1 for x in members if x["state"] == "closed" and x["lost"] == 0),
                "reset": sum(1 for x in members if x["state"] == "reset"),
                "other": sum(1 for x in members if x["state"] not in ("closed", "reset")),
                "lost_lines": sum(x["lost"] or 0 for x in members),
                "max_gap_fast": max([x["max_gap"] for x in members if x["kind"] == "fast"] or [0]),
                "max_gap_slow": max([x["max_gap"] for x in members if x["kind"] == "slow"] or [0]),
                "first_reset_after_failover": min([round(x["ended"] - s["failover"]["t_vip"], 3) for x in members
                                                   if x["state"] == "reset"] or [None], key=lambda v: (v is None, v)),
            }
        s["stream_summary"] = summary
        for group, g in summary.items():
            self.log("streams opened %s the failover: %d of %d survived, %d reset, %d lost lines, largest gap %.2f s (fast) %.2f s (slow)" % (
                group, g["survived"], g["streams"], g["reset"], g["lost_lines"], g["max_gap_fast"], g["max_gap_slow"]))
        fo, fb = s["failover"], s["failback"]
        if s["sync"]:
            for x in streams:
                if x["state"] != "closed" or x["lost"]:
                    self.log("  stream s%d (%s, %s, served by %s): %s %s, sent %d, echoed %d, lost %s%s" % (
                        x["id"], x["group"], x["kind"], x["served_by"], x["state"], x["reason"], x["sent"], x["echoed"], x["lost"],
                        (" (%s)" % x["error"]) if x["error"] else ""))
            self.check(name, "every stream survived failover and failback with no line lost",
                       all(x["state"] == "closed" and x["lost"] == 0 for x in streams),
                       "%d of %d" % (sum(1 for x in streams if x["state"] == "closed" and x["lost"] == 0), len(streams)))
            limit = a.failover_limit + (fo["event"].get("detected", fo["t_event"]) - fo["t_event"] if s["kind"] == "health" else 0)
            if s["kind"] == "health":
                limit += a.preempt_delay_effective
            self.check(name, "failover within %.1f s" % limit, fo["seconds"] <= limit, "%.2f s" % fo["seconds"])
        else:
            b = [x for x in streams if x["group"].endswith("/before")]
            self.check(name, "control: every stream established before the failover was reset",
                       all(x["state"] == "reset" for x in b), "%d of %d reset" % (sum(1 for x in b if x["state"] == "reset"), len(b)))
        # connections: the probes of this scenario
        probes = [p for p in self.probes_between(s["started"], s["finished"])]
        # failover: from the event until the VIP is on lb2; failback: from the moment one of them
        # dropped or took the VIP until it is on lb1. A connection started up to its timeout before
        # either may fail; one started up to WINDOW_GRACE after it may still be caught in it.
        back_start = fb["t_vip"] if fb["lb2_dropped"] is None else min(fb["t_vip"], fb["t_event"] + fb["lb2_dropped"])
        windows = [(fo["t_event"] - a.probe_timeout, fo["t_vip"] + a.window_grace),
                   (back_start - a.probe_timeout, fb["t_vip"] + a.window_grace)]
        failed = [p for p in probes if not p[2]]
        outside = [p for p in failed if not any(lo <= p[0] <= hi for lo, hi in windows)]
        s["connections"] = {
            "total": len(probes), "failed": len(failed),
            "failed_failover": sum(1 for p in failed if windows[0][0] <= p[0] <= windows[0][1]),
            "failed_failback": sum(1 for p in failed if windows[1][0] <= p[0] <= windows[1][1]),
            "failure_span": [round(min(p[0] for p in failed) - fo["t_event"], 3), round(max(p[1] for p in failed) - fo["t_event"], 3)] if failed else None,
            "windows": [[round(lo, 3), round(hi, 3)] for lo, hi in windows],
            "failures": [list(p) for p in failed],
            "outside_windows": [list(p) for p in outside],
            "served_by": {},
            "all": [list(p) for p in probes],  # [start, end, ok, reason, real server]
        }
        for p in probes:
            if p[2]:
                s["connections"]["served_by"][p[4]] = s["connections"]["served_by"].get(p[4], 0) + 1
        self.log("new connections: %d, %d failed (%d in the failover window, %d in the failback window, %d outside)" % (
            len(probes), len(failed), s["connections"]["failed_failover"], s["connections"]["failed_failback"], len(outside)))
        self.check(name, "new connections fail only inside the failover and failback windows", not outside,
                   "; ".join("%.2f s after the event: %s" % (p[0] - fo["t_event"], p[3]) for p in outside[:5]))
        self.check(name, "new connections succeed", len(probes) - len(failed) > 0.5 * len(probes),
                   "%d of %d" % (len(probes) - len(failed), len(probes)))
        s["ha_log"] = self.ha_lines(s["started"])

    def probes_between(self, start, end):
        reply = self.engine_call({"op": "probelog"}, "probelog", 60)
        self.probes.extend(tuple(p) for p in reply["probes"])
        return [p for p in self.probes if start <= p[0] <= end]

    def ha_lines(self, since):
        """The lines of the ipvs logs that mention ha: (the role transitions), and keepalived's state changes."""
        out = []
        for d in self.directors:
            for kind, path in d.logs:
                try:
                    mtime = os.path.getmtime(path)
                except OSError:
                    continue
                if mtime < since:
                    continue
                with open(path, errors="replace") as f:
                    for line in f:
                        if (kind == "ipvs" and "ha:" in line) or (kind == "keepalived" and re.search(r"Entering \w+ STATE|priority", line)):
                            out.append("%s %s: %s" % (d.name, kind, line.rstrip()))
        return out

    # --- the run ---------------------------------------------------------------------------------
    def main(self):
        a = self.args
        self.probes = []
        for path, what in ((self.keepalived, "keepalived"), (self.ipvs, "ipvs")):
            if not os.access(path, os.X_OK):
                raise RunError("%s is missing (%s): install it (lab/install-deps) / publish it (scripts/publish)" % (what, path))
        if os.geteuid() != 0:
            raise RunError("run this as root inside the lab (lab/run -- lab/ha/run ...)")
        self.result["versions"] = {
            "kernel": os.uname().release,
            "keepalived": (self.run([self.keepalived, "--version"], check=False).stderr.splitlines() or ["?"])[0],
            "ipvs": self.run([self.ipvs, "--version"], check=False).stdout.strip(),
        }
        help_ = self.run([self.ipvs, "ha", "--help"], check=False)
        if help_.returncode != 0:
            raise RunError("ipvs ha --help: exit %d\n%s%s" % (help_.returncode, help_.stdout, help_.stderr))
        self.log("building the lab: bridge br0, namespaces client, lb1, lb2, rs1, rs2 on 198.18.0.0/24, VIP %s" % VIP)
        self.cleanup_network()
        self.build_hosts()
        self.build_directors()
        self.start_monitor()
        self.start_traffic()
        self.log("echo servers on rs1 and rs2 port %d (LVS-DR: %s on lo, arp_ignore 1, arp_announce 2)" % (PORT, VIP))
        try:
            first = True
            for index in range(1, a.repeat + 1):
                for kind in a.scenario:
                    if first:
                        self.start_pair(kind != "nosync")
                        for d in self.directors:
                            self.result.setdefault("sync_daemons", {})[d.name] = self.daemons(d)
                        self.engine_call({"op": "probes", "on": True}, "probes")
                        self.log("the client opens a new connection every %.1f s from now on" % a.probe_interval)
                        first = False
                    self.scenario(kind, index)
                    self.write_result()
        finally:
            self.result["checks"] = self.checks
            self.write_result()

    def write_result(self):
        self.result["checks"] = self.checks
        self.result["ok"] = bool(self.checks) and all(c["ok"] for c in self.checks)
        tmp = os.path.join(self.out, "result.json.tmp")
        with open(tmp, "w") as f:
            json.dump(self.result, f, indent=1, default=list)
        os.replace(tmp, os.path.join(self.out, "result.json"))

    def shutdown(self):
        self.log("tearing the lab down")
        self.tearing_down = True
        self.ticker = None
        if self.engine:
            try:
                os.kill(self.engine, signal.SIGKILL)
                os.waitpid(self.engine, 0)
            except ChildProcessError:
                pass
        for pid in self.echo.values():
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        for d in self.directors:
            if d.processes():
                left = d.terminate(timeout=10)[2]
                for pid in left:
                    os.kill(pid, signal.SIGKILL)
        self.stop_monitor()
        self.cleanup_network()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="directory for result.json, ha.log and the daemons' logs")
    p.add_argument("--scenario", "--scenarios", default=",".join(SCENARIOS),
                   type=lambda v: [x for x in v.split(",") if x], help="comma-separated, in order: " + ", ".join(SCENARIOS))
    p.add_argument("--repeat", type=int, default=1, help="run the scenarios this many times in this boot")
    p.add_argument("--advert", type=seconds, default=1.0, help="VRRP advertisement interval (default 1s)")
    p.add_argument("--preempt-delay", type=seconds, default=None, help="ha.preempt-delay (default: leave it to ipvs's default)")
    p.add_argument("--rejoin-delay", type=seconds, default=None, help="ha.rejoin-delay (default: leave it to ipvs's default)")
    p.add_argument("--fast", type=int, default=20, help="fast streams per scenario (a line every 100 ms), half on each side")
    p.add_argument("--slow", type=int, default=5, help="slow streams per scenario (a line every 2 s), half on each side")
    p.add_argument("--probe-interval", type=float, default=0.1, help="a new short connection every this many seconds")
    p.add_argument("--probe-timeout", type=float, default=2.0, help="a short connection fails when not echoed within this")
    p.add_argument("--warmup", type=float, default=4.5, help="seconds streams run before the next event")
    p.add_argument("--settle", type=float, default=6.0, help="seconds after the VIP moved before the next step")
    p.add_argument("--window-grace", type=float, default=2.0, help="seconds after the VIP moved in which a connection may still fail")
    p.add_argument("--failover-limit", type=float, default=4.0, help="expected failover bound at advert 1s (scaled with --advert)")
    p.add_argument("--failover-timeout", type=float, default=60)
    p.add_argument("--failback-timeout", type=float, default=90)
    p.add_argument("--ipvs", default=os.path.join(ROOT, "dist", "ipvs"))
    p.add_argument("--keepalived", default="/usr/sbin/keepalived")
    p.add_argument("--quiet", action="store_true", help="write the narration to DIR/ha.log only")
    args = p.parse_args(argv)
    unknown = [s for s in args.scenario if s not in SCENARIOS]
    if unknown:
        p.error("unknown scenario %s (choose from %s)" % (", ".join(unknown), ", ".join(SCENARIOS)))
    args.failover_limit *= args.advert
    # what the health scenario must add to the failover bound: with a preempt_delay, keepalived
    # on the backup also waits that long before taking over from a master whose priority fell
    # below its own (ipvs sets none by default)
    args.preempt_delay_effective = args.preempt_delay or 0.0
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    lab = Lab(args)
    code = 1
    try:
        lab.main()
        code = 0 if lab.result["ok"] else 3
    except RunError as e:
        lab.log("RUN FAILED: %s" % e)
        lab.result["error"] = str(e)
        lab.write_result()
    except KeyboardInterrupt:
        lab.log("interrupted")
    finally:
        try:
            lab.shutdown()
        except Exception as e:  # noqa: BLE001 - cleanup must not hide the run's outcome
            lab.log("cleanup: %s" % e)
    failed = [c for c in lab.checks if not c["ok"]]
    lab.log("result: %s; %d checks, %d failed; %s" % ({0: "PASS", 3: "FAIL", 1: "ERROR"}[code], len(lab.checks), len(failed),
                                                      os.path.join(lab.out, "result.json")))
    return code


if __name__ == "__main__":
    sys.exit(main())
