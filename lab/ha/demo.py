#!/usr/bin/env python3
"""The live demonstration of the HA pair (lab/demo-ha runs it inside the lab).

Builds two LVS-DR directors (keepalived for VRRP, `ipvs care --ha-node` for the rest), two echo
real servers and a client holding streams through the virtual address; kills the master with
kill -9, shows the address move and the streams carry on through the backup, brings the master
back and shows it take the address again. Narrates as it goes: the time, who holds the address,
the streams' counters, the new connections. Exits 0 when every stream survived with no line lost
and new connections failed only while the address was moving; 1 otherwise.
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hapair  # noqa: E402

BOLD, DIM, RED, GREEN, RESET = "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[0m"
if not sys.stdout.isatty() and os.environ.get("FORCE_COLOR") is None:
    BOLD = DIM = RED = GREEN = RESET = ""


class Demo:
    def __init__(self, lab):
        self.lab = lab
        self.start = time.time()
        self.last = None
        self.t_fail = None
        self.readings = []  # (t, {director: packets}) of the last seconds

    def stamp(self):
        return "[%5.1fs]" % (time.time() - self.start)

    def say(self, text):
        print("\n%s%s %s%s" % (BOLD, self.stamp(), text, RESET), flush=True)

    def note(self, text):
        print("        %s" % text, flush=True)

    def log(self, text):
        """The driver's own lines (VIP moves, checks, measurements), shown as they come."""
        if text.startswith("FAIL"):
            text = RED + text + RESET
        elif text.startswith("ok  "):
            text = GREEN + text + RESET
        print("%s %s│%s %s" % (self.stamp(), DIM, RESET, text.replace("\n", "\n          │ ")), flush=True)

    def tick(self, stats):
        """Every second: who holds the VIP, the streams' counters, the new connections of that second."""
        groups = stats["groups"].values()
        opened = sum(g["open"] for g in groups)
        reset = sum(g["reset"] + g["failed"] for g in groups)
        sent = sum(g["sent"] for g in groups)
        echoed = sum(g["echoed"] for g in groups)
        waiting = sum(g["waiting"] for g in groups)
        probes = stats["probes"]
        ok, failed = probes["ok"], probes["failed"]
        if self.last is not None:
            d_ok, d_failed = ok - self.last[0], failed - self.last[1]
        else:
            d_ok, d_failed = 0, 0
        self.last = (ok, failed)
        holders = "+".join(self.lab.holders()) or "nobody"
        line = "%s  VIP on %-7s  forwarding %s  streams %2d open%s  lines %5d sent %5d echoed %s  connections %s" % (
            self.stamp(), holders, self.forwarding(), opened, (RED + ", %d reset" % reset + RESET) if reset else "", sent, echoed,
            (RED + "%4d waiting" % waiting + RESET) if waiting > 40 else "%4d waiting" % waiting,
            "%2d ok" % d_ok + ((RED + ", %d failed" % d_failed + RESET) if d_failed else ""))
        print(line, flush=True)

    def forwarding(self):
        """Packets per second each director forwarded, over the last 2 s or more (the kernel updates
        its counters every 2 s), read from /proc/net/ip_vs_stats inside each director's namespace."""
        now = self.lab.forwarded()
        self.readings.append((now["t"], {n: now[n].get("packets", 0) for n in ("lb1", "lb2")}))
        older = [r for r in self.readings if now["t"] - r[0] >= 2.05]
        if not older:
            return "lb1 -     lb2 -    "
        then = older[-1]
        self.readings = self.readings[self.readings.index(then):]
        span = now["t"] - then[0]
        rates = {n: (self.readings[-1][1][n] - then[1][n]) / span for n in ("lb1", "lb2")}
        return "lb1 %4d/s lb2 %4d/s" % (rates["lb1"], rates["lb2"])

    def status(self, node):
        p = self.lab.run([self.lab.ipvs, "ha", "status", "-f", self.lab.config_path, "--node", node], ns=node, check=False)
        self.note("$ ip netns exec %s ipvs ha status -f ha.yaml --node %s" % (node, node))
        for line in (p.stdout or p.stderr).rstrip().splitlines():
            self.note("  " + line)

    def phase(self, name):
        if name == "start":
            self.lab.ticker = self.tick
            self.say("The pair is up; a client opens a new connection through the VIP every 100 ms. Each second:")
            self.note("who holds the VIP, the packets each director forwards, the streams' lines, the connections of that second")
        elif name == "streams":
            self.say("The client opens 10 fast streams (a line every 100 ms) and 3 slow ones (a line every 2 s) "
                     "through %s; every echoed line is checked" % hapair.VIP)
        elif name == "fail":
            self.say("lb1 crashes: kill -9 of its keepalived (parent and VRRP child, stopped first) and of its ipvs")
            self.note("Expected: lb2 takes the VIP after 3 missed advertisements (~3 s). lb1's kernel keeps forwarding")
            self.note("meanwhile (IPVS lives in the kernel, not in the killed processes); once lb2's gratuitous ARPs reach")
            self.note("the client, the streams go through lb2, with the connection entries the sync daemon copied to it.")
            self.t_fail = time.time()
        elif name == "during":
            self.status("lb2")
            self.say("While lb1 is down, the client opens 10 fast and 2 slow streams more: they go through lb2")
        elif name == "recover":
            self.say("lb1 comes back: ipvs care, then keepalived")
            self.note("Expected: lb1, with the higher priority, takes the VIP back once ipvs lets keepalived have it;")
            self.note("the connections opened through lb2 meanwhile were synced to it, so no stream notices.")
        elif name == "summary":
            self.lab.ticker = None
            self.status("lb1")
            self.say("Closing the streams: every line sent must have come back")


def main():
    out = None
    argv = sys.argv[1:]
    if "--out" not in argv:
        out = tempfile.mkdtemp(prefix="ipvs-demo-ha.")
        argv += ["--out", out]
    args = hapair.parse_args(argv + ["--scenario", "kill", "--fast", "20", "--slow", "5", "--quiet"])
    lab = hapair.Lab(args)
    demo = Demo(lab)
    lab.log_hook = demo.log
    lab.phase_hook = demo.phase
    code = 1
    print("%sThe HA pair: two LVS-DR directors, keepalived for VRRP, ipvs for everything else%s" % (BOLD, RESET))
    print("  client 198.18.0.10 ── br0 ── lb1 198.18.0.11 (priority 150), lb2 198.18.0.12 (priority 100)")
    print("                            └── rs1 198.18.0.21, rs2 198.18.0.22: echo servers on :9000, %s on lo (DR)" % hapair.VIP)
    print("  VIP %s:9000, rr over rs1 and rs2; both directors: the same table, both sync daemons" % hapair.VIP)
    try:
        lab.main()
        ok = lab.result.get("ok", False)
        s = lab.result["scenarios"][0]
        fo, fb, streams = s["failover"], s["failback"], s["stream_summary"]
        c = s["connections"]
        demo.say("Summary")
        demo.note("failover: lb2 held the VIP %.2f s after the kill; failback: lb1 again %.2f s after its restart"
                  % (fo["seconds"], fb["seconds"]))
        for group, g in streams.items():
            demo.note("streams opened %-6s the failover: %2d of %2d survived, %d reset, %d lines lost, longest stall %.2f s"
                      % (group, g["survived"], g["streams"], g["reset"], g["lost_lines"], max(g["max_gap_fast"], g["max_gap_slow"])))
        demo.note("new connections: %d, %d failed (%d while the VIP moved to lb2, %d while it moved back, %d at other times)"
                  % (c["total"], c["failed"], c["failed_failover"], c["failed_failback"], len(c["outside_windows"])))
        demo.note("tables: identical on lb1 and lb2 and as in the file after every step: %s"
                  % ("yes" if all(x["table"]["equal"] and x["table"]["match_file"] for x in s["steps"]) else "NO"))
        demo.note("all the measurements: %s" % os.path.join(lab.out, "result.json"))
        code = 0 if ok else 1
        print("\n%s%s%s" % (GREEN if ok else RED, "Everything survived." if ok else "Something did not survive: see above.", RESET))
    except hapair.RunError as e:
        print("%sdemo failed: %s%s" % (RED, e, RESET))
    finally:
        lab.ticker = None
        lab.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
