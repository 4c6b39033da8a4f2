#!/usr/bin/python3
"""Open an HTML report in headless Chromium and check that it renders.

usage: render_check.py REPORT.html CHART_ID... [--screenshot PNG]

Fails (exit 1) when the browser logs any console message of level SEVERE
or WARNING (a broken reference, a bad SVG attribute, a blocked request),
when a named chart is missing or has no drawn marks, or when the page asks
for anything over the network. Exits 77 (skip) when Chromium, chromedriver
or selenium are not installed, so `make check` runs on lean machines too.
"""
import json
import os
import shutil
import sys
import tempfile


def main(argv):
    shot = None
    if "--screenshot" in argv:
        i = argv.index("--screenshot")
        shot = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if len(argv) < 2:
        print(__doc__)
        return 2
    path, charts = os.path.abspath(argv[0]), argv[1:]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        print("SKIP: python3-selenium is not installed")
        return 77
    browser = shutil.which("chromium")
    driver_bin = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not browser or not os.path.exists(driver_bin):
        print("SKIP: chromium or chromedriver is not installed")
        return 77

    profile = tempfile.mkdtemp(prefix="custops-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1280,2000", "--user-data-dir=" + profile):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_bin), options=opts)
    failures = []
    try:
        driver.get("file://" + path)
        title = driver.title
        if not title:
            failures.append("the page has no title")
        for entry in driver.get_log("browser"):
            if entry.get("level") in ("SEVERE", "WARNING"):
                failures.append("console %s: %s" % (entry["level"], entry["message"]))
        # every request the page made must be the file itself: the report is self-contained
        # (requests of the browser's own start page are not the report's)
        me = "file://" + path
        for entry in driver.get_log("performance"):
            msg = json.loads(entry.get("message", "{}")).get("message", {})
            if msg.get("method") != "Network.requestWillBeSent":
                continue
            params = msg.get("params", {})
            url = params.get("request", {}).get("url", "")
            if params.get("documentURL") == me and url != me and not url.startswith("data:"):
                failures.append("the page made a request: " + url)
        found = {}
        for fig in driver.find_elements(By.CSS_SELECTOR, "figure.chart[data-chart]"):
            cid = fig.get_attribute("data-chart")
            marks = fig.find_elements(By.CSS_SELECTOR, "svg rect, svg path, svg polyline, svg circle, svg line")
            size = fig.size
            found[cid] = (len(marks), size["width"], size["height"])
        for cid in charts:
            if cid not in found:
                failures.append("chart '%s' is missing" % cid)
            elif found[cid][0] == 0 or found[cid][1] < 50 or found[cid][2] < 50:
                failures.append("chart '%s' has nothing drawn (marks=%d, %dx%d)" % ((cid,) + found[cid]))
        if shot:
            body = driver.find_element(By.TAG_NAME, "body")
            driver.set_window_size(1280, max(800, min(body.size["height"] + 40, 12000)))
            driver.save_screenshot(shot)
        print("rendered '%s': %d charts (%s)" % (title, len(found), ", ".join(sorted(found))))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
