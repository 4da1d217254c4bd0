"""static/js/scanner.js and beep.js in chromium: keyboard-wedge scans against human typing, a
Chinese IME catching the scanner's keys, QR codes from images and from a (fake) camera."""

from __future__ import annotations

import base64
import io
import itertools

import pytest
import qrcode
from PIL import Image

from tests.browser.conftest import launch

pytestmark = pytest.mark.browser

VOUCHER_URL = "http://127.0.0.1:5000/v/8M3KT-9QWXR-2ZC4H-V6PJD-K"
TEST_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>扫码测试</title>
<script src="{base}/static/js/scanner.js"></script><script src="{base}/static/js/beep.js"></script>
</head><body><label for="q">搜索商品</label><input id="q" type="search">
<button id="btn" type="button">结账</button><form id="form"><input id="in-form" name="x"></form></body></html>"""
SETUP = """() => {
    window.scans = []; window.clicks = 0; window.submits = 0;
    document.getElementById('btn').addEventListener('click', () => window.clicks++);
    document.getElementById('form').addEventListener('submit', (e) => { e.preventDefault(); window.submits++; });
    document.addEventListener('scan', (e) => window.scans.push(e.detail));
    window.scanner = Scanner.listen();
}"""


@pytest.fixture
def scan_page(live_server, page):
    page.set_content(TEST_PAGE.format(base=live_server.base))
    page.evaluate(SETUP)
    return page


def scans(page):
    return page.evaluate("() => window.scans")


def test_a_fast_burst_ending_in_enter_is_a_scan_and_stays_out_of_the_field(scan_page):
    page = scan_page
    page.click("#q")
    page.keyboard.type("6901234567892", delay=5)
    page.keyboard.press("Enter")
    assert scans(page) == [{"code": "6901234567892", "source": "keyboard"}]
    assert page.input_value("#q") == ""


def test_slow_human_typing_is_not_a_scan(scan_page):
    page = scan_page
    page.click("#q")
    page.keyboard.type("6901234", delay=120)
    page.keyboard.press("Enter")
    assert scans(page) == []
    assert page.input_value("#q") == "6901234"


def test_a_scan_works_whatever_has_focus_and_presses_nothing(scan_page):
    page = scan_page
    page.focus("#btn")  # Enter on a focused button would press it
    page.keyboard.type(VOUCHER_URL, delay=5)  # Shift for capitals, ':' '/' '.' '-' from their keys
    page.keyboard.press("Enter")
    page.focus("#in-form")  # Enter in a form field would submit the form
    page.keyboard.type("8M3KT9QWXR2ZC4HV6PJDK", delay=5)
    page.keyboard.press("Enter")
    page.evaluate("() => document.activeElement.blur()")  # and with nothing focused
    page.keyboard.type("6920152400012", delay=5)
    page.keyboard.press("Enter")
    assert [s["code"] for s in scans(page)] == [VOUCHER_URL, "8M3KT9QWXR2ZC4HV6PJDK", "6920152400012"]
    assert page.evaluate("() => [window.clicks, window.submits]") == [0, 0]
    assert page.input_value("#in-form") == ""


def test_typing_then_scanning_keeps_what_was_typed(scan_page):
    page = scan_page
    page.click("#q")
    page.keyboard.type("rice", delay=200)  # the cashier types a little, pauses, then scans
    page.wait_for_timeout(250)
    page.keyboard.type("6901234567892", delay=5)
    page.keyboard.press("Enter")
    assert scans(page) == [{"code": "6901234567892", "source": "keyboard"}]
    assert page.input_value("#q") == "rice"


def _key(ch: str) -> tuple[str, int]:
    if ch.isdigit():
        return f"Digit{ch}", 0
    if ch == "-":
        return "Minus", 0
    return f"Key{ch.upper()}", 8 if ch.isupper() else 0  # 8 = Shift


def test_a_scan_caught_by_a_chinese_ime_is_still_read_and_cleaned_up(scan_page):
    """With a pinyin IME on, the scanner's letters go into a composition: keydown says
    key="Process", keyCode 229. The scan is read from the physical keys, and the text the IME
    commits after Enter is taken out of the field again.

    Chromium's real IME path (Input.imeSetComposition over CDP) is too slow per key to look like
    a scanner, so the scanner is given slow-typist timings here; the next test replays the same
    event sequence at scanner speed."""
    page = scan_page
    page.evaluate("""() => { window.scanner.stop();
        window.scanner = Scanner.listen({maxGap: 2000, maxAverage: 1000, personPause: 5000}); }""")
    page.click("#q")
    cdp = page.context.new_cdp_session(page)
    code = "6901aB-9"
    composed = ""
    for ch in code:
        key_code, modifiers = _key(ch)
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Process", "code": key_code,
                                            "windowsVirtualKeyCode": 229, "modifiers": modifiers})
        composed += ch
        cdp.send("Input.imeSetComposition", {"text": composed, "selectionStart": len(composed),
                                             "selectionEnd": len(composed)})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Process", "code": key_code,
                                            "windowsVirtualKeyCode": 229, "modifiers": modifiers})
    assert page.evaluate("() => document.getElementById('q').value") == composed  # the IME has it
    cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Process", "code": "Enter",
                                        "windowsVirtualKeyCode": 229})
    cdp.send("Input.insertText", {"text": composed})  # Enter makes the IME commit the raw letters
    page.wait_for_function("() => document.getElementById('q').value === ''")
    assert scans(page) == [{"code": code, "source": "keyboard"}]


# The events Chromium fires when an IME catches keys (recorded through the CDP path above):
# keydown(key=Process, keyCode=229) -> compositionstart -> input(isComposing) per key, then
# keydown(Enter, 229) -> input -> compositionend. Replayed here in the page at scanner speed.
IME_REPLAY = """async ([text, delay]) => {
    const field = document.getElementById('q');
    field.focus();
    const before = field.value;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const key = (ch) => /[0-9]/.test(ch) ? ['Digit' + ch, false] : ch === '-' ? ['Minus', false]
        : ['Key' + ch.toUpperCase(), ch !== ch.toLowerCase()];
    const down = (code, shift, composing) => field.dispatchEvent(new KeyboardEvent('keydown', {key: 'Process',
        code, keyCode: 229, shiftKey: shift, isComposing: composing, bubbles: true, cancelable: true}));
    let composed = '';
    for (const ch of text) {
        const [code, shift] = key(ch);
        down(code, shift, composed.length > 0);
        if (!composed) field.dispatchEvent(new CompositionEvent('compositionstart', {data: '', bubbles: true}));
        composed += ch;
        field.value = before + composed;
        field.dispatchEvent(new InputEvent('input', {data: composed, isComposing: true, bubbles: true}));
        await sleep(delay);
    }
    down('Enter', false, true);
    field.value = before + composed;  // the IME commits what it holds
    field.dispatchEvent(new InputEvent('input', {data: composed, isComposing: true, bubbles: true}));
    field.dispatchEvent(new CompositionEvent('compositionend', {data: composed, bubbles: true}));
    await sleep(20);
    return field.value;
}"""


def test_a_scan_into_an_ime_at_scanner_speed(scan_page):
    page = scan_page
    assert page.evaluate(IME_REPLAY, ["8M3KT-9QWXR-2zc4h", 4]) == ""
    assert scans(page) == [{"code": "8M3KT-9QWXR-2zc4h", "source": "keyboard"}]


def test_slow_typing_into_an_ime_is_not_a_scan(scan_page):
    page = scan_page
    assert page.evaluate(IME_REPLAY, ["dami", 150]) == "dami"  # pinyin for 大米, left to the IME
    assert scans(page) == []


def test_a_qr_code_image_is_decoded_by_the_vendored_jsqr(scan_page):
    page = scan_page
    img = qrcode.make(VOUCHER_URL).get_image().convert("RGB")
    photo = Image.new("RGB", (640, 480), (200, 190, 170))  # a tilted voucher on a counter
    photo.paste(img.rotate(12, expand=True, fillcolor=(255, 255, 255)).resize((300, 300)), (170, 90))
    buf = io.BytesIO()
    photo.save(buf, "PNG")
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    decoded = page.evaluate("""async (src) => {
        await Scanner.loadJsQR();
        const img = new Image(); img.src = src; await img.decode();
        const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
        const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
        return [Scanner.decodeImageData(ctx.getImageData(0, 0, c.width, c.height)), await Scanner.decode(img),
                typeof window.jsQR];
    }""", src)
    assert decoded == [VOUCHER_URL, VOUCHER_URL, "function"]
    blank = page.evaluate("""() => { const c = document.createElement('canvas'); c.width = c.height = 100;
        return Scanner.decodeImageData(c.getContext('2d').getImageData(0, 0, 100, 100)); }""")
    assert blank is None


def _y4m(img: Image.Image, frames: int = 10) -> bytes:
    """A grey-scale YUV4MPEG2 video of `img` (Y plane from the image, neutral chroma)."""
    w, h = img.size
    y = img.convert("L").tobytes()
    chroma = bytes([128]) * ((w // 2) * (h // 2))
    head = f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode()
    return head + b"".join(b"FRAME\n" + y + chroma + chroma for _ in range(frames))


def test_the_camera_reads_a_voucher_qr(live_server, playwright, tmp_path):
    """Chromium's fake camera plays a video of a voucher QR; startCamera finds the code."""
    frame = Image.new("L", (640, 480), 235)
    frame.paste(qrcode.make(VOUCHER_URL).get_image().convert("L").resize((320, 320)), (160, 80))
    video = tmp_path / "voucher.y4m"
    video.write_bytes(_y4m(frame))
    camera_browser = launch(playwright, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-video-capture={video}")
    try:
        context = camera_browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        context.grant_permissions(["camera"], origin=live_server.base)
        page = context.new_page()
        page.goto(live_server.url("/login"))  # a real page of the app, with its CSP
        page.add_script_tag(url=live_server.url("/static/js/scanner.js"))
        engine = page.evaluate("""async () => {
            window.scans = [];
            document.addEventListener('scan', (e) => window.scans.push(e.detail));
            const video = document.createElement('video'); document.body.append(video);
            window.camera = await Scanner.startCamera(video);
            return window.camera.engine;
        }""")
        page.wait_for_function("() => window.scans.length > 0")
        found = page.evaluate("() => { window.camera.stop(); return window.scans; }")
        assert found[0] == {"code": VOUCHER_URL, "source": "camera"}
        assert engine in ("jsQR", "BarcodeDetector")
        assert len(found) == 1  # the same code is not reported again and again
    finally:
        camera_browser.close()


def test_the_error_sound_is_two_falling_tones(scan_page):
    samples = scan_page.evaluate("""async () => Array.from(await Beep.render('error', 8000))""")
    rate = 8000

    def tone(start: float, end: float) -> tuple[float, float]:
        part = samples[int(start * rate):int(end * rate)]
        crossings = sum(1 for a, b in itertools.pairwise(part) if a < 0 <= b)
        return crossings / (end - start), max(abs(s) for s in part)

    first_hz, first_peak = tone(0.03, 0.17)
    _, gap_peak = tone(0.20, 0.24)
    second_hz, second_peak = tone(0.27, 0.50)
    assert abs(first_hz - 440) < 15 and abs(second_hz - 330) < 15
    assert first_peak > 0.2 and second_peak > 0.2 and gap_peak < 0.01
    assert scan_page.evaluate("() => Beep.duration('error')") == pytest.approx(0.54)
