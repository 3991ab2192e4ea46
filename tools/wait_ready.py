"""Wait until a server's /readyz says ready, then print one line (used by `make run` and CI).

    python tools/wait_ready.py http://127.0.0.1:8000 [--timeout 300] [--since EPOCH]

Exit 0 when ready, 1 on timeout with the last report (which check or warm-up is missing)."""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--since", type=float, help="Unix time the whole start began (make run), also reported")
    args = parser.parse_args()
    started = time.monotonic()
    last = "no answer yet"
    while time.monotonic() - started < args.timeout:
        try:
            with urllib.request.urlopen(args.base_url.rstrip("/") + "/readyz", timeout=5) as response:
                report = json.load(response)
                warm = ", ".join(f"{name} {w['seconds']} s" for name, w in report.get("warmups", {}).items())
                total = f", {time.time() - args.since:.0f} s since make run started" if args.since else ""
                print(f"== Ready after {time.monotonic() - started:.0f} s{total}: {args.base_url}"
                      + (f" (warm-ups: {warm})" if warm else ""), flush=True)
                return 0
        except urllib.error.HTTPError as exc:
            last = exc.read().decode("utf-8", "replace")[:500]
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.5)
    print(f"Not ready after {args.timeout:.0f} s: {last}", file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
