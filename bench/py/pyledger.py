"""A straightforward pure-Python coupon ledger with the same semantics as
libcustops' ledger (guarded counters, reserve/commit/release, idempotency
keys, a SHA-256 hash-chained journal), in memory or on Python's sqlite3.
It is the baseline the benchmark compares against: what a team would
write today without the library."""
import hashlib
import json
import sqlite3
import struct


class LimitExceeded(Exception):
    pass


class Conflict(Exception):
    pass


def _req_hash(*parts):
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


class MemoryLedger:
    def __init__(self):
        self.coupons, self.counters, self.res, self.idem = {}, {}, {}, {}
        self.journal, self.head = [], b"\0" * 32

    def _journal(self, now, body):
        seq = len(self.journal) + 1
        h = hashlib.sha256(self.head + struct.pack("<qq", seq, now) + body.encode()).digest()
        self.journal.append((seq, now, body, self.head, h))
        self.head = h
        return seq

    def issue(self, code, max_uses, campaign, now):
        self.coupons[code] = {"campaign": campaign}
        self.counters["code:" + code] = [max_uses if max_uses else -1, 0, 0]
        self.counters.setdefault("budget:" + campaign, [0, 0, 0])
        self._journal(now, json.dumps({"op": "issue", "code": code}))

    def budget_add(self, campaign, amount, now):
        self.counters.setdefault("budget:" + campaign, [0, 0, 0])[0] += amount
        self._journal(now, json.dumps({"op": "budget", "campaign": campaign, "amount": amount}))

    def _idem(self, key, h):
        if key in self.idem:
            stored_h, receipt = self.idem[key]
            if stored_h != h:
                raise Conflict(key)
            return receipt
        return None

    def reserve(self, code, customer, order, amount, ttl, key, now):
        h = _req_hash("reserve", code, customer, order, amount, ttl)
        r = self._idem(key, h)
        if r:
            return r
        c = self.counters["code:" + code]
        b = self.counters["budget:" + self.coupons[code]["campaign"]]
        if (c[0] >= 0 and c[1] + c[2] + 1 > c[0]) or b[1] + b[2] + amount > b[0]:
            raise LimitExceeded(code)
        c[2] += 1
        b[2] += amount
        self.res[(order, code)] = {"state": "pending", "amount": amount, "expires": now + ttl,
                                   "campaign": self.coupons[code]["campaign"]}
        seq = self._journal(now, json.dumps({"op": "reserve", "order": order, "code": code, "amount": amount}))
        receipt = ("pending", seq, amount, now + ttl)
        self.idem[key] = (h, receipt)
        return receipt

    def commit(self, order, code, key, now):
        h = _req_hash("commit", order, code)
        r = self._idem(key, h)
        if r:
            return r
        res = self.res[(order, code)]
        if res["state"] != "pending":
            raise ValueError("not pending")
        c = self.counters["code:" + code]
        b = self.counters["budget:" + res["campaign"]]
        c[1] += 1
        c[2] -= 1
        b[1] += res["amount"]
        b[2] -= res["amount"]
        res["state"] = "committed"
        seq = self._journal(now, json.dumps({"op": "commit", "order": order, "code": code}))
        receipt = ("committed", seq, res["amount"], res["expires"])
        self.idem[key] = (h, receipt)
        return receipt


class SqliteLedger:
    def __init__(self, path, durable=False):
        self.db = sqlite3.connect(path, isolation_level=None, timeout=5.0)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = " + ("FULL" if durable else "NORMAL"))
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS coupons(code TEXT PRIMARY KEY, campaign TEXT);"
            "CREATE TABLE IF NOT EXISTS counters(key TEXT PRIMARY KEY, lim INTEGER, used INTEGER, reserved INTEGER);"
            "CREATE TABLE IF NOT EXISTS reservations(order_id TEXT, code TEXT, state TEXT, amount INTEGER,"
            " expires INTEGER, campaign TEXT, PRIMARY KEY(order_id, code));"
            "CREATE TABLE IF NOT EXISTS idem(key TEXT PRIMARY KEY, h TEXT, receipt TEXT);"
            "CREATE TABLE IF NOT EXISTS journal(seq INTEGER PRIMARY KEY, ts INTEGER, body TEXT, prev BLOB, hash BLOB);")

    def _journal(self, now, body):
        row = self.db.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, b"\0" * 32)
        h = hashlib.sha256(prev + struct.pack("<qq", seq, now) + body.encode()).digest()
        self.db.execute("INSERT INTO journal VALUES(?, ?, ?, ?, ?)", (seq, now, body, prev, h))
        return seq

    def _txn(self, key, h, fn):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute("SELECT h, receipt FROM idem WHERE key = ?", (key,)).fetchone()
            if row:
                if row[0] != h:
                    raise Conflict(key)
                self.db.execute("COMMIT")
                return tuple(json.loads(row[1]))
            receipt = fn()
            self.db.execute("INSERT INTO idem VALUES(?, ?, ?)", (key, h, json.dumps(receipt)))
            self.db.execute("COMMIT")
            return receipt
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def issue(self, code, max_uses, campaign, now):
        def fn():
            self.db.execute("INSERT INTO coupons VALUES(?, ?)", (code, campaign))
            self.db.execute("INSERT INTO counters VALUES(?, ?, 0, 0)", ("code:" + code, max_uses or -1))
            self.db.execute("INSERT OR IGNORE INTO counters VALUES(?, 0, 0, 0)", ("budget:" + campaign,))
            return ("none", self._journal(now, json.dumps({"op": "issue", "code": code})), 0, 0)
        return self._txn("issue:" + code, _req_hash("issue", code, max_uses, campaign), fn)

    def budget_add(self, campaign, amount, now):
        def fn():
            self.db.execute("INSERT OR IGNORE INTO counters VALUES(?, 0, 0, 0)", ("budget:" + campaign,))
            self.db.execute("UPDATE counters SET lim = lim + ? WHERE key = ?", (amount, "budget:" + campaign))
            return ("none", self._journal(now, json.dumps({"op": "budget", "amount": amount})), amount, 0)
        return self._txn("budget:%s:%d" % (campaign, now), _req_hash("budget", campaign, amount), fn)

    def reserve(self, code, customer, order, amount, ttl, key, now):
        def fn():
            (campaign,) = self.db.execute("SELECT campaign FROM coupons WHERE code = ?", (code,)).fetchone()
            cur = self.db.execute("UPDATE counters SET reserved = reserved + 1 WHERE key = ?"
                                  " AND (lim < 0 OR used + reserved + 1 <= lim)", ("code:" + code,))
            if cur.rowcount != 1:
                raise LimitExceeded(code)
            cur = self.db.execute("UPDATE counters SET reserved = reserved + ? WHERE key = ?"
                                  " AND used + reserved + ? <= lim", (amount, "budget:" + campaign, amount))
            if cur.rowcount != 1:
                raise LimitExceeded(campaign)
            self.db.execute("INSERT OR REPLACE INTO reservations VALUES(?, ?, 'pending', ?, ?, ?)",
                            (order, code, amount, now + ttl, campaign))
            seq = self._journal(now, json.dumps({"op": "reserve", "order": order, "code": code, "amount": amount}))
            return ("pending", seq, amount, now + ttl)
        return self._txn(key, _req_hash("reserve", code, customer, order, amount, ttl), fn)

    def commit(self, order, code, key, now):
        def fn():
            row = self.db.execute("SELECT state, amount, expires, campaign FROM reservations"
                                  " WHERE order_id = ? AND code = ?", (order, code)).fetchone()
            if not row or row[0] != "pending":
                raise ValueError("not pending")
            self.db.execute("UPDATE counters SET used = used + 1, reserved = reserved - 1 WHERE key = ?",
                            ("code:" + code,))
            self.db.execute("UPDATE counters SET used = used + ?, reserved = reserved - ? WHERE key = ?",
                            (row[1], row[1], "budget:" + row[3]))
            self.db.execute("UPDATE reservations SET state = 'committed' WHERE order_id = ? AND code = ?",
                            (order, code))
            seq = self._journal(now, json.dumps({"op": "commit", "order": order, "code": code}))
            return ("committed", seq, row[1], row[2])
        return self._txn(key, _req_hash("commit", order, code), fn)
