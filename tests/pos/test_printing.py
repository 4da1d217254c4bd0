"""Printer URIs and the transports: a real TCP listener, a pseudo-terminal, files, offline printers."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from app.core.errors import InvalidInput
from app.pos.printing import PrinterConfig, PrinterOffline, print_receipt, send
from app.pos.receipts import render_escpos
from tests.pos import escpos_reader
from tests.pos.factories import URL, receipt

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.mark.parametrize(("uri", "expected"), [
    ("tcp://192.168.1.50:9100", {"scheme": "tcp", "host": "192.168.1.50", "port": 9100}),
    ("tcp://printer.local", {"host": "printer.local", "port": 9100}),
    ("tcp://[::1]:9101?columns=48&encoding=gb18030", {"host": "::1", "port": 9101, "columns": 48,
                                                       "encoding": "gb18030"}),
    ("usb://0416:5011", {"scheme": "usb", "vendor_id": 0x0416, "product_id": 0x5011, "out_ep": 0x01}),
    ("usb://0x04b8:0x0202?in_ep=81&out_ep=03&profile=TM-T88V",
     {"vendor_id": 0x04B8, "product_id": 0x0202, "in_ep": 0x81, "out_ep": 0x03, "profile": "TM-T88V"}),
    ("serial:///dev/ttyUSB0?baudrate=9600", {"scheme": "serial", "device": "/dev/ttyUSB0", "baudrate": 9600}),
    ("serial://COM3?baudrate=19200", {"device": "COM3", "baudrate": 19200}),
    ("file:///dev/usb/lp0", {"scheme": "file", "device": "/dev/usb/lp0", "columns": 32, "encoding": "gbk"}),
    ("tcp://10.0.0.9:9100?timeout=2.5", {"timeout": 2.5}),
])
def test_parse_printer_uris(uri, expected):
    config = PrinterConfig.parse(uri)
    for key, value in expected.items():
        assert getattr(config, key) == value, key


def test_keyword_settings_win_over_the_uri():
    config = PrinterConfig.parse("tcp://h:9100?columns=32&encoding=gbk", columns=48, encoding="GB18030",
                                 profile="RP326")
    assert (config.columns, config.encoding, config.profile) == (48, "gb18030", "RP326")
    assert config.describe() == "tcp://h:9100"


@pytest.mark.parametrize(("uri", "kwargs", "words"), [
    ("http://printer:9100", {}, "tcp://"),
    ("tcp://", {}, "主机"),
    ("tcp://h:99999", {}, "端口"),
    ("usb://0416", {}, "usb://"),
    ("usb://zz:5011", {}, "厂商ID"),
    ("file://", {}, "设备路径"),
    ("serial:///dev/ttyS0?baudrate=fast", {}, "波特率"),
    ("tcp://h?paper=58", {}, "未知参数"),
    ("tcp://h", {"columns": 40}, "32"),
    ("tcp://h", {"encoding": "utf-8"}, "GB18030"),
    ("tcp://h", {"profile": "no-such-printer"}, "型号"),
    ("tcp://h?timeout=0", {}, "超时"),
])
def test_bad_printer_settings_are_refused_with_a_chinese_message(uri, kwargs, words):
    with pytest.raises(InvalidInput) as exc:
        PrinterConfig.parse(uri, **kwargs)
    assert exc.value.code == "invalid_input"
    assert words in str(exc.value.message)


class Listener:
    """A real TCP server on 127.0.0.1 that stands in for a network printer: it keeps every byte."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        with conn:
            conn.settimeout(10)
            while chunk := conn.recv(65536):
                self.received.extend(chunk)

    def wait(self) -> bytes:
        self.thread.join(timeout=10)
        self.sock.close()
        return bytes(self.received)


def test_printing_over_tcp_sends_the_receipt_to_a_listening_socket():
    printer = Listener()
    config = PrinterConfig.parse(f"tcp://127.0.0.1:{printer.port}?columns=48&encoding=gb18030")
    r = receipt()
    sent = print_receipt(r, config)
    data = printer.wait()
    assert sent == len(data) > 0
    assert data == render_escpos(r, columns=48, encoding="gb18030")
    out = escpos_reader.read(data, "gb18030")
    assert "魏都区慈善超市（七里店）" in out.all_text and out.qr_data == [URL.encode()]
    assert max(line.columns for line in out.lines) == 48 and out.cuts == 1


def test_an_unreachable_printer_raises_printer_offline():
    with socket.socket() as s:  # a port nobody listens on: refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = PrinterConfig.parse(f"tcp://127.0.0.1:{port}")
    with pytest.raises(PrinterOffline) as exc:
        print_receipt(receipt(), config)
    assert exc.value.code == "printer_offline" and exc.value.status == 503
    assert "打印失败" in str(exc.value.message)
    assert exc.value.details["printer"] == f"tcp://127.0.0.1:{port}"


def test_a_printer_that_does_not_answer_gives_up_after_its_timeout():
    """A listener whose backlog is full drops the connection attempt: the connect times out."""
    server = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = server.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port))  # fills the backlog; never accepted
    try:
        config = PrinterConfig.parse(f"tcp://127.0.0.1:{port}?timeout=0.3")
        with pytest.raises(PrinterOffline) as exc:
            send(b"\x1b@", config)
        assert "timed out" in exc.value.details["reason"]
    finally:
        filler.close()
        server.close()


def test_printing_to_a_file(tmp_path):
    target = tmp_path / "lp0"
    config = PrinterConfig.parse(f"file://{target}?columns=32")
    r = receipt()
    print_receipt(r, config)
    assert target.read_bytes() == render_escpos(r, columns=32)


def test_a_missing_device_file_is_printer_offline(tmp_path):
    config = PrinterConfig.parse(f"file://{tmp_path}/no-such-dir/lp0")
    with pytest.raises(PrinterOffline):
        print_receipt(receipt(), config)


def test_printing_over_a_serial_line(tmp_path):
    """pyserial on a pseudo-terminal: the bytes arrive on the other side unchanged."""
    master, slave = os.openpty()
    try:
        config = PrinterConfig.parse(f"serial://{os.ttyname(slave)}?baudrate=9600")
        r = receipt()
        expected = render_escpos(r)
        received = bytearray()

        def drain():
            while len(received) < len(expected):
                received.extend(os.read(master, 65536))

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        assert print_receipt(r, config) == len(expected)
        reader.join(timeout=10)
        assert bytes(received) == expected
    finally:
        os.close(slave)
        os.close(master)


def test_a_usb_printer_that_is_not_plugged_in_is_printer_offline():
    config = PrinterConfig.parse("usb://dead:beef")  # no such device on any machine
    with pytest.raises(PrinterOffline) as exc:
        print_receipt(receipt(), config)
    assert exc.value.details["printer"] == "usb://dead:beef"


def test_flask_printer_test_prints_a_sample_receipt(app):
    printer = Listener()
    result = app.test_cli_runner().invoke(args=["printer", "test", f"tcp://127.0.0.1:{printer.port}",
                                                "--columns", "48"])
    data = printer.wait()
    assert result.exit_code == 0, result.output
    assert f"{len(data)} 字节" in result.output and "48" in result.output
    assert "魏都区慈善超市（七里店）" in escpos_reader.read(data).all_text


def test_flask_printer_test_exits_non_zero_when_the_printer_is_offline(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = app.test_cli_runner().invoke(args=["printer", "test", f"tcp://127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert "打印失败" in result.output
    bad = app.test_cli_runner().invoke(args=["printer", "test", "lpt1"])
    assert bad.exit_code == 1 and "tcp://" in bad.output


def test_flask_printer_profiles_lists_python_escpos_profiles(app):
    result = app.test_cli_runner().invoke(args=["printer", "profiles"])
    assert result.exit_code == 0
    assert {"default", "TM-T88V", "POS-5890"} <= set(result.output.split())
