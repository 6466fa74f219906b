"""The studio's designer page (HTTP level): a slide preview as PNG, the contact sheet, the
export ZIP, who may export, CSRF, and downloads confined to the campaign's exports."""

import io
import json
import re
import struct
import time
import zipfile

from letterworld.render import find_ffmpeg

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC, data[:16]
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _folder(studio_app):
    return studio_app.state.studio.folder


def test_designer_gets_a_slide_as_png(studio_login, studio_app):
    client, _ = studio_login("designer")
    r = client.get("/design/slide/2.png", params={"preset": "1920x1080", "theme": "light"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "image/png"
    assert _png_size(r.content) == (1920, 1080)
    from PIL import Image

    img = Image.open(io.BytesIO(r.content))
    img.load()
    assert img.getextrema() != ((255, 255), (255, 255), (255, 255))  # something is drawn
    cached = list((_folder(studio_app) / "studio-cache").glob("slides-v1-1920x1080-*/002.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == r.content
    portrait = client.get("/design/slide/1.png", params={"preset": "1080x1920", "theme": "dark"})
    assert portrait.status_code == 200 and _png_size(portrait.content) == (1080, 1920)
    assert client.get("/design/slide/999.png", params={"preset": "1920x1080", "theme": "light"}).status_code == 404
    # a theme or preset is one on offer, never a path from the request
    assert client.get("/design/slide/1.png", params={"theme": "../../etc/passwd"}).status_code == 400
    assert client.get("/design/slide/1.png", params={"preset": "99999x99999"}).status_code == 400
    bad = client.get("/design", params={"theme": "<script>alert(1)</script>"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/plain")


def test_design_page_and_contact_sheet(studio_login):
    client, csrf = studio_login("designer")
    r = client.get("/design", params={"preset": "1920x1080", "theme": "campaign", "n": "3"})
    assert r.status_code == 200
    assert 'src="/design/slide/3.png?preset=1920x1080&amp;theme=campaign"' in r.text
    assert '<option value="3840x2160"' in r.text and '<option value="light"' in r.text
    assert "/static/design.css" in r.text and "style=" not in r.text
    sheet = client.get("/design/contact.png", params={"preset": "1920x1080", "theme": "campaign"})
    assert sheet.status_code == 200 and sheet.content[:8] == PNG_MAGIC
    again = client.get("/design", params={"preset": "1920x1080", "theme": "campaign"})
    m = re.search(r"<h2>Slide 1 of (\d+)</h2>", again.text)  # the sheet rendered every slide: the count is known
    assert m and int(m.group(1)) > 5
    saved = client.post("/design/choice", data={"csrf": csrf, "preset": "3840x2160", "theme": "light"},
                        follow_redirects=False)
    assert saved.status_code == 303
    assert '<option value="3840x2160" selected' in client.get("/design").text


def _wait_for_job(client, location: str, timeout: float = 300) -> str:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        html = client.get(location).text
        state = html.split('class="job-state">', 1)[1].split("<", 1)[0]
        if state in ("done", "failed"):
            return html
        time.sleep(0.5)
    raise AssertionError(f"export still running after {timeout} s")


def test_export_gives_one_zip_with_slides_manifest_and_pdf(studio_login, studio_app):
    client, csrf = studio_login("designer")
    r = client.post("/design/export", data={"csrf": csrf, "preset": "1920x1080", "theme": "dark", "video": "on"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    html = _wait_for_job(client, r.headers["location"])
    assert 'class="job-state">done<' in html, html[-2000:]
    link = html.split('href="/design/download?file=', 1)[1].split('"', 1)[0]
    assert link == "exports/slides-v1-1920x1080.zip"
    z = client.get("/design/download", params={"file": link})
    assert z.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(z.content))
    names = zf.namelist()
    manifest = json.loads(zf.read("slides-v1-1920x1080/manifest.json"))
    assert manifest["preset"] == "1920x1080" and manifest["theme"] == "dark"
    pngs = sorted(n for n in names if n.endswith(".png") and "contact-sheet" not in n)
    assert pngs == sorted(f"slides-v1-1920x1080/{s['file']}" for s in manifest["slides"]) and len(pngs) > 5
    for n in pngs[:3]:
        assert _png_size(zf.read(n)) == (1920, 1080)
    assert zf.read("slides-v1-1920x1080/letter.pdf")[:5] == b"%PDF-"
    assert "slides-v1-1920x1080/contact-sheet.png" in names
    assert ("slides-v1-1920x1080/slideshow.mp4" in names) == bool(find_ffmpeg())
    assert (_folder(studio_app) / "exports" / "slides-v1-1920x1080" / "manifest.json").is_file()
    # the dashboard no longer says the slides wait for a designer
    assert "not rendered yet" not in client.get("/").text


def test_translator_may_not_export(studio_login, studio_app):
    client, csrf = studio_login("translator")
    r = client.post("/design/export", data={"csrf": csrf, "preset": "1920x1080", "theme": "dark"})
    assert r.status_code == 403
    assert client.get("/design").status_code == 403
    assert client.get("/design/slide/1.png").status_code == 403
    assert studio_app.state.studio.jobs.jobs == []
    assert not (_folder(studio_app) / "exports").exists()


def test_export_without_csrf_is_refused(studio_login, studio_app):
    client, csrf = studio_login("designer")
    assert client.post("/design/export", data={"preset": "1920x1080", "theme": "dark"}).status_code == 403
    assert client.post("/design/export", data={"csrf": csrf[::-1], "preset": "1920x1080"}).status_code == 403
    assert client.post("/design/choice", data={"preset": "1920x1080", "theme": "light"}).status_code == 403
    assert studio_app.state.studio.jobs.jobs == []


def test_downloads_only_from_the_exports(studio_login, studio_app, tmp_path_factory):
    folder = _folder(studio_app)
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret")
    ok = folder / "exports" / "slides-v1-test" / "note.txt"
    ok.parent.mkdir(parents=True)
    ok.write_text("fine")
    (folder / "exports" / "slides-v1-link").symlink_to(outside.parent)
    client, _ = studio_login("designer")
    assert client.get("/design/download", params={"file": "exports/slides-v1-test/note.txt"}).text == "fine"
    for bad in (str(outside), f"../{outside.parent.name}/secret.txt", "/etc/passwd", "campaign.db",
                "exports/../campaign.db", "exports/slides-v1-link/secret.txt", "exports/slides-v1-test/../../campaign.db"):
        r = client.get("/design/download", params={"file": bad})
        assert r.status_code == 403, bad
        assert b"secret" not in r.content and b"SQLite" not in r.content


def test_old_preview_caches_are_pruned(tmp_path):
    import os

    from letterworld.studio.pages.design import CACHE, prune_cache

    root = tmp_path / CACHE
    for i in range(20):
        d = root / f"slides-v{i}-1920x1080-abc"
        d.mkdir(parents=True)
        (d / "001.png").write_bytes(PNG_MAGIC)
        os.utime(d, (time.time() - 7200 + i, time.time() - 7200 + i))  # older the smaller i
    (root / "not-a-cache").mkdir()
    assert prune_cache(tmp_path, keep=16) == 4
    left = sorted(int(d.name.split("-")[1][1:]) for d in root.glob("slides-v*"))
    assert left == list(range(4, 20)) and (root / "not-a-cache").is_dir()
    os.utime(root / "slides-v4-1920x1080-abc")  # just used: kept however old the rest
    assert prune_cache(tmp_path, keep=0) == 15 and [d.name for d in root.glob("slides-v*")] == ["slides-v4-1920x1080-abc"]
