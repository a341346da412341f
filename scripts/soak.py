#!/usr/bin/env python3
"""Soak clients for `puskesos serve --demo` (scripts/soak.sh starts the server and calls this).

N threads (default 32), each logged in as its own Ketua account (soak01, soak02, ...), loop for the
given time over a mix of reads (family page 40 %, registry search 25 %, dashboard 15 %) and
writes (case intake 10 %, family edit with a reason 10 %). Each client edits only its own
families (no two clients race for one record). Every answer other than the expected one (200
for a page, 303 after a form) and every failed connection counts as an error; the server's
resident memory is sampled every 5 s. Standard library only.
"""

import argparse
import html
import http.client
import random
import re
import sqlite3
import sys
import threading
import time
import urllib.parse

PASSWORD = "kopi-tubruk-jam-tujuh"  # of the accounts soak01, soak02, ... that soak.sh adds


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Client:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = None
        self.cookies = {}

    def request(self, method, path, body=None):
        """(status, headers, text); reconnects once when a kept-alive connection was closed."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            headers = {}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                body = urllib.parse.urlencode(body)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                text = r.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
                continue
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    name, _, rest = v.partition("=")
                    self.cookies[name.strip()] = rest.split(";")[0]
            return r.status, r.getheaders(), text
        raise RuntimeError("unreachable")


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(text):
    m = CSRF.search(text)
    return m.group(1) if m else ""


def saved(status, headers):
    """A form accepted: a redirect, and not back to the login page."""
    where = dict((k.lower(), v) for k, v in headers).get("location", "")
    return status == 303 and "/masuk" not in where


def form_fields(text, action):
    """The fields of the form posting to `action`, as the browser would send them unchanged."""
    start = text.find(f'action="{action}"')
    end = text.find("</form>", start)
    form = text[start:end]
    fields = []
    for m in re.finditer(r"<input([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        if "name" in attrs and attrs.get("type") != "checkbox":
            fields.append((attrs["name"], html.unescape(attrs.get("value", ""))))
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        sel = re.search(r'<option value="([^"]*)" selected', m.group(2))
        fields.append((m.group(1), html.unescape(sel.group(1)) if sel else ""))
    return fields


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:18095")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--pid", type=int, required=True, help="the server's process id (RSS)")
    ap.add_argument("--db", required=True, help="the SQLite file (families and names to use)")
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.base)
    host, port = u.hostname, u.port

    ro = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    families = [r[0] for r in ro.execute("SELECT id FROM families ORDER BY id")]
    words = sorted({n.split()[0].lower() for (n,) in ro.execute("SELECT nama FROM persons LIMIT 400") if n})
    ro.close()

    lock = threading.Lock()
    stats = {}  # kind -> [count, errors, latencies]
    errors = []
    stop_at = time.time() + a.seconds

    def note(kind, ok, secs, what=""):
        with lock:
            s = stats.setdefault(kind, [0, 0, []])
            s[0] += 1
            s[2].append(secs)
            if not ok:
                s[1] += 1
                if len(errors) < 20:
                    errors.append(f"{kind}: {what}")

    def worker(i):
        rnd = random.Random(i)
        mine = families[i :: a.clients]
        c = Client(host, port)
        try:
            _, _, page = c.request("GET", "/masuk")
            st, _, _ = c.request("POST", "/masuk", {"username": f"soak{i + 1:0{len(str(a.clients))}}", "password": PASSWORD, "csrf": csrf_of(page)})
            if st != 303:
                note("login", False, 0, f"status {st}")
                return
        except Exception as e:  # noqa: BLE001 - every failure is counted
            note("login", False, 0, repr(e))
            return
        n = 0
        while time.time() < stop_at:
            n += 1
            roll = rnd.random()
            t0 = time.time()
            try:
                if roll < 0.40:
                    kind = "family page"
                    st, _, _ = c.request("GET", f"/keluarga/{rnd.choice(families)}")
                    ok = st == 200
                elif roll < 0.65:
                    kind = "search"
                    if rnd.random() < 0.5:
                        q = "q=" + urllib.parse.quote(rnd.choice(words))
                    else:
                        q = f"rt={rnd.randint(1, 6):03}&rw={rnd.randint(1, 6):03}"
                    st, _, _ = c.request("GET", f"/registri?{q}")
                    ok = st == 200
                elif roll < 0.80:
                    kind = "dashboard"
                    st, _, _ = c.request("GET", "/dasbor")
                    ok = st == 200
                elif roll < 0.90:
                    kind = "case intake"
                    _, _, page = c.request("GET", "/kasus/baru")
                    st, hd, _ = c.request(
                        "POST",
                        "/kasus/baru",
                        {
                            "csrf": csrf_of(page),
                            "contact_name": f"Warga Uji {i}-{n}",
                            "contact_address": "Dusun Pucung RT 001/RW 002",
                            "channel": "datang",
                            "sector": rnd.choice(["kesehatan", "pendidikan"]),
                            "summary": "Permohonan bantuan (uji ketahanan)",
                            "consent_purpose": "Penanganan kebutuhan dan rujukan layanan melalui Puskesos",
                            "consent": "ya",
                        },
                    )
                    ok = saved(st, hd)
                else:
                    kind = "family edit"
                    fam = rnd.choice(mine)
                    action = f"/keluarga/{fam}/ubah"
                    _, _, page = c.request("GET", action)
                    body = dict(form_fields(page, action))
                    body["f.alamat"] = f"Dusun Uji {n % 7}"
                    body["alasan"] = "uji ketahanan: alamat diperbarui"
                    st, hd, _ = c.request("POST", action, body)
                    ok = saved(st, hd)
                note(kind, ok, time.time() - t0, f"status {st}")
            except Exception as e:  # noqa: BLE001
                note("connection", False, time.time() - t0, repr(e))
                if c.conn is not None:
                    c.conn.close()
                c.conn = None

    rss = []
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(a.clients)]
    started = time.time()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        rss.append(rss_kb(a.pid))
        time.sleep(5)
    for t in threads:
        t.join()
    secs = time.time() - started
    rss.append(rss_kb(a.pid))

    total = sum(s[0] for s in stats.values())
    failed = sum(s[1] for s in stats.values())
    print(f"{a.clients} clients, {secs:.0f} s: {total} requests ({total / secs:.0f}/s), {failed} errors")
    for kind, (count, errs, lat) in sorted(stats.items()):
        lat.sort()
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
        print(f"  {kind:<12} {count:>7}  errors {errs:>3}  p50 {p(0.5):6.0f} ms  p99 {p(0.99):6.0f} ms")
    live = [r for r in rss if r]
    if live:
        print(f"server RSS: first sample {live[0] // 1024} MB, max {max(live) // 1024} MB, last {live[-1] // 1024} MB")
    for e in errors:
        print("  error:", e)
    sys.exit(1 if failed or not total else 0)


if __name__ == "__main__":
    main()
