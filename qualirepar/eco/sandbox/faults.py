"""Fault injection: random rates, or an exact queue of faults for the next calls (tests)."""
from __future__ import annotations

import random
import threading
import time

DEFAULTS = {"error_rate": 0.0, "timeout_rate": 0.0, "rate_limit_rate": 0.0, "malformed_rate": 0.0,
            "lost_rate": 0.0, "latency_ms": 0, "timeout_seconds": 35.0, "only": None}
# lost: the call is carried out, then its answer is replaced by a 502 (the caller cannot know it was done)
KINDS = ("error", "timeout", "rate_limit", "malformed", "lost")


class Faults:
    def __init__(self, **settings):
        self._lock = threading.Lock()
        self.settings = {**DEFAULTS}
        self.queue: list[str] = []
        self.configure(**settings)

    def configure(self, queue: list[str] | None = None, **settings) -> dict:
        with self._lock:
            unknown = set(settings) - set(DEFAULTS)
            if unknown:
                raise ValueError(f"unknown fault settings: {sorted(unknown)}")
            self.settings.update(settings)
            if queue is not None:
                bad = [k for k in queue if k not in KINDS]
                if bad:
                    raise ValueError(f"unknown fault kinds: {bad}")
                self.queue = list(queue)
            return self.state()

    def state(self) -> dict:
        return {**self.settings, "queue": list(self.queue)}

    def reset(self) -> None:
        self.configure(queue=[], **DEFAULTS)

    def pick(self, path: str) -> str | None:
        """The fault to apply to this call, if any (after the configured latency)."""
        with self._lock:
            s = dict(self.settings)
            if s["only"] and s["only"] not in path:
                return None
            kind = self.queue.pop(0) if self.queue else None
        if s["latency_ms"]:
            time.sleep(s["latency_ms"] / 1000)
        if kind:
            return kind
        roll = random.random()
        for name, rate in (("error", s["error_rate"]), ("timeout", s["timeout_rate"]),
                           ("rate_limit", s["rate_limit_rate"]), ("malformed", s["malformed_rate"]),
                           ("lost", s["lost_rate"])):
            if roll < rate:
                return name
            roll -= rate
        return None

    @property
    def timeout_seconds(self) -> float:
        return float(self.settings["timeout_seconds"])


def parse_env(value: str | None) -> dict:
    """"error_rate=0.1,latency_ms=50" -> settings."""
    settings = {}
    for part in (value or "").split(","):
        if "=" in part:
            key, raw = (x.strip() for x in part.split("=", 1))
            settings[key] = raw if key == "only" else float(raw)
    return settings
